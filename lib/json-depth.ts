/**
 * Whether a JSON text nests arrays and objects deeper than `limit`, found by one pass over its
 * characters (strings skipped whole), before anything parses it. JSON.parse copes with any
 * depth, but what comes after does not: JSON.stringify and every recursive walk of the value
 * throw a RangeError (stack overflow) a few thousand levels down, and a 4 MB body holds two
 * million. No API of Conduit needs more than a few dozen levels.
 */
export function jsonNestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // To the closing quote: the next one not escaped by an odd run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i === -1) return false; // unterminated: JSON.parse says so
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 0x5c /* \ */) slashes++;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
