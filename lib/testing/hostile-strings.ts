import fc from 'fast-check';

/**
 * Test support: strings a client could put in any text that reaches a usage record (the request's
 * `user` and `model`, a link JWT's user claim, an upstream's error code) — the ones that broke
 * the drain (issue #14) and their relatives.
 */

/** Single characters (UTF-16 units, some deliberately unpaired) that text handling gets wrong. */
export const HOSTILE_UNITS = [
  '\ud800', // lone high surrogate
  '\udbff',
  '\udc00', // lone low surrogate
  '\udfff',
  '\u0000',
  '\u0001',
  '\u0008',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u202e', // right-to-left override
  '\u2066',
  '\u2069',
  '\u200f',
  '\u061c',
  '\ufeff',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '"',
  '\\',
  '\\u0000', // the escape as text: must stay six characters
  '\\ud800',
  '😀',
  'e\u0301',
  'ש',
  'ي',
] as const;

/** A unit: a hostile one, any code point, or a random surrogate on its own. */
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_UNITS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
);

const ONE_MB = 1024 * 1024;

/**
 * Hostile strings: short ones, ones around the bounds (up to ~300 units, so a cut can fall inside
 * a surrogate pair), and now and then ~1 MB ending (or cut) in a surrogate.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 14, arbitrary: fc.array(unit, { maxLength: 40 }).map((units) => units.join('')) },
  { weight: 5, arbitrary: fc.tuple(fc.integer({ min: 95, max: 260 }), unit).map(([n, tail]) => `${'a'.repeat(n)}😀${tail}`) },
  // Rare: each is costly to copy around, and the property tests run many.
  { weight: 1, arbitrary: fc.constantFrom(`${'x'.repeat(ONE_MB)}\ud800`, `\udc00${'😀'.repeat(ONE_MB / 2)}`, '\u0000'.repeat(ONE_MB)) },
);

/** Bytes that are not UTF-8 at all: a stray continuation byte, an overlong NUL, a lone lead byte, 0xFF. */
export const INVALID_UTF8 = Buffer.from([0x80, 0xc0, 0x80, 0xe2, 0x28, 0xa1, 0xff, 0xfe, 0xed, 0xa0, 0x80]);
