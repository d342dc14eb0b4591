/**
 * Link ids appear in URLs (/proxy/{id}/…) and as a DNS label ({id}.{PROXY_DOMAIN}). DNS is
 * case-insensitive and browsers lower-case host names, so ids use only [a-z0-9]: 23 random
 * characters ≈ 119 bits, unguessable although they are not secrets. The leading `l` keeps a
 * label from starting with a digit and makes ids recognisable. Pure: the proxy checks the
 * shape before any lookup, so random ids never reach the cache or the database.
 */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 23;

export const LINK_ID_PATTERN = /^l[0-9a-z]{23}$/;

export function isLinkId(candidate: string): boolean {
  return LINK_ID_PATTERN.test(candidate);
}

/** Uniform over the alphabet: bytes ≥ 252 (7 × 36) are rejected so no character is more likely. */
export function newLinkId(): string {
  let out = 'l';
  while (out.length < RANDOM_LENGTH + 1) {
    for (const byte of crypto.getRandomValues(new Uint8Array(RANDOM_LENGTH * 2))) {
      if (byte < 252 && out.length < RANDOM_LENGTH + 1) out += ALPHABET[byte % 36];
    }
  }
  return out;
}
