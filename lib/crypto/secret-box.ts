import 'server-only';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { authSecret } from '@/lib/auth/secret';
import { env } from '@/lib/env';

/**
 * Encryption at rest for third-party secrets that Conduit must be able to read back (a proxy
 * link injects its upstream API key into each request, so a hash will not do). AES-256-GCM:
 * authenticated, so a modified ciphertext fails to open instead of decrypting to garbage.
 *
 * Sealed form: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. The version prefix leaves room
 * to change the algorithm or key later while old rows still open.
 */

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
/** 96-bit IVs are GCM's native size; random ones are safe for far more than 2^32 seals per key. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PART = /^[A-Za-z0-9_-]*$/;

let cachedKey: Buffer | undefined;

/**
 * LINK_ENCRYPTION_KEY when set (lib/env.ts checks it is 32 bytes of base64). Otherwise a key
 * derived from the session secret, so `npm run dev` and small self-hosted setups need no extra
 * configuration. Production should set LINK_ENCRYPTION_KEY: with the derived key, rotating
 * AUTH_SECRET would make every stored link secret unreadable. HKDF (not the raw secret) keeps
 * this key independent of the session-signing key even though both come from AUTH_SECRET.
 */
function encryptionKey(): Buffer {
  if (cachedKey) return cachedKey;
  const configured = env().LINK_ENCRYPTION_KEY;
  cachedKey = configured
    ? Buffer.from(configured, 'base64')
    : Buffer.from(hkdfSync('sha256', authSecret(), 'conduit', 'link-secrets', 32));
  return cachedKey;
}

export function sealSecret(plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, encryptionKey(), iv, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Throws on anything but an untouched value sealed with the current key. */
export function openSecret(sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || !parts.every((part) => PART.test(part))) {
    throw new Error('Not a sealed secret');
  }
  const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer, Buffer];
  // Checked explicitly: GCM would otherwise accept a truncated tag, weakening authentication.
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('Not a sealed secret');
  const decipher = createDecipheriv(ALGORITHM, encryptionKey(), iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  // final() throws "Unsupported state or unable to authenticate data" when anything was changed.
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}
