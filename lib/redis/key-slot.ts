/**
 * Redis Cluster's hash slots, computed here so the keys of every script can be checked to share
 * one slot without a cluster (lib/redis/slots.test.ts), and so the cluster backend can group a
 * pipeline by node (cluster-backend.ts).
 *
 * A key's slot is CRC16 (XMODEM) of its hash tag modulo 16384. The hash tag is what lies between
 * the first `{` and the first `}` after it, if that is not empty; otherwise the whole key. Keys
 * built with `hashTag()` below therefore land in one slot per (kind, id) whatever follows.
 */

export const SLOTS = 16_384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** The part of `key` Redis Cluster hashes: its hash tag if it has a non-empty one, else all of it. */
export function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

export function keySlot(key: string): number {
  return crc16(Buffer.from(hashedPart(key), 'utf8')) % SLOTS;
}

/**
 * `{<kind>:<id>}`, the hash tag of everything that belongs to one account (`u`), one link (`l`)
 * or one rate-limit identifier (`rl`). Braces inside `id` are percent-encoded (with `%` itself),
 * so an id can neither end the tag early nor make two ids share one: the tag stays injective.
 */
export function hashTag(kind: string, id: string): string {
  return `{${kind}:${id.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}}`;
}

/** True when every key lies in one slot (a script, a MULTI, a multi-key command may use them together). */
export function sameSlot(keys: readonly string[]): boolean {
  if (keys.length === 0) return true;
  const slot = keySlot(keys[0]!);
  return keys.every((key) => keySlot(key) === slot);
}

/** Every key of one account (credit, its keys' rate and spend counters, its reservations). */
export const accountTag = (userId: string): string => hashTag('u', userId);

/** Every key of one proxy link (its rate windows, per end user too, and its monthly cap). */
export const linkTag = (linkId: string): string => hashTag('l', linkId);

/**
 * An identifier for @upstash/ratelimit: its sliding window script reads two keys,
 * `<prefix>:<identifier>:<window>` and the previous window's, which a cluster only runs together
 * when the identifier carries a hash tag.
 */
export const rateLimitId = (identifier: string): string => hashTag('rl', identifier);
