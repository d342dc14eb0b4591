/**
 * Text that PostgreSQL will always accept, from whatever a client sent.
 *
 * JSON lets a client send a lone surrogate (`"\ud800"`); JavaScript keeps it in the string, and
 * JSON.stringify writes it back as that escape — which PostgreSQL's json parser refuses, and the
 * drain sends a whole batch as ONE json parameter (db/queries/usage.ts), so one such string failed
 * every record of its batch, forever (issue #14). NUL is the other character text columns cannot
 * hold. Length bounds keep a record small in Redis and its values within the rollups' btree keys.
 *
 * Pure and cheap: the gateway runs this on every request. Strings are rebuilt only when a native
 * scan finds something to fix, and `length` is O(1).
 */

/** Lone surrogates become U+FFFD (as a UTF-8 decoder would), NUL goes, and at most `max` UTF-16 units remain. */
export function cleanText(value: string, max: number): string {
  let text = value;
  if (!text.isWellFormed()) text = text.toWellFormed();
  if (text.includes('\u0000')) text = text.replaceAll('\u0000', '');
  return text.length > max ? truncate(text, max) : text;
}

/** The first `max` UTF-16 units, one fewer if the cut would leave half of a surrogate pair behind. */
function truncate(text: string, max: number): string {
  const last = text.charCodeAt(max - 1);
  const cut = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return text.slice(0, Math.max(0, cut));
}

/** Whether cleanText would return the string unchanged (checked by the producers before copying a record). */
export function isCleanText(value: string, max: number): boolean {
  return value.length <= max && value.isWellFormed() && !value.includes('\u0000');
}
