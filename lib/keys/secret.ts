import 'server-only';
import { createHash } from 'node:crypto';

/**
 * Our own secrets — API keys and management tokens — are long random strings, so a fast hash
 * is right (nothing to brute-force); passwords use argon2 instead (lib/auth/password.ts).
 * This is the one place that makes them and hashes them.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 40 base62 characters ≈ 238 bits of entropy. */
export const SECRET_LENGTH = 40;

export const SECRET_PREFIX = {
  apiKey: 'condt_',
  managementToken: 'cmt_',
  /** Access tokens of proxy links (lib/links): they sit in browsers, so they are easy to spot in leaks. */
  linkToken: 'clt_',
} as const;
export type SecretKind = keyof typeof SECRET_PREFIX;

/** Uniform base62 from the CSPRNG: bytes ≥ 248 are rejected so no character is more likely. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export interface NewSecret {
  /** Shown once to the person who created it, never stored. */
  plaintext: string;
  hash: string;
  /** The prefix and first characters, e.g. `condt_ab12`, for recognising it in lists. */
  start: string;
}

export async function generateSecret(kind: SecretKind): Promise<NewSecret> {
  const plaintext = SECRET_PREFIX[kind] + randomBase62(SECRET_LENGTH);
  return { plaintext, hash: await hashSecret(plaintext), start: plaintext.slice(0, SECRET_PREFIX[kind].length + 4) };
}

/**
 * SHA-256, hex. node:crypto rather than Web Crypto: this runs on every hot-path request, and
 * the async WebCrypto call costs several times the hash itself (its promise and buffer
 * plumbing showed as ~6 % of the gateway's CPU). Kept async so an edge build can swap it back.
 */
export async function hashSecret(plaintext: string): Promise<string> {
  return createHash('sha256').update(plaintext).digest('hex');
}

const shapes: Record<SecretKind, RegExp> = {
  apiKey: new RegExp(`^${SECRET_PREFIX.apiKey}[0-9A-Za-z]{${SECRET_LENGTH}}$`),
  managementToken: new RegExp(`^${SECRET_PREFIX.managementToken}[0-9A-Za-z]{${SECRET_LENGTH}}$`),
  linkToken: new RegExp(`^${SECRET_PREFIX.linkToken}[0-9A-Za-z]{${SECRET_LENGTH}}$`),
};

/** Cheap pre-check: a string of the wrong shape is refused without any lookup. */
export function looksLike(kind: SecretKind, candidate: string): boolean {
  return shapes[kind].test(candidate);
}

/** Random ids for rows (`key_…`, `mt_…`): not secret, just unguessable and URL-safe. */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBase62(20)}`;
}
