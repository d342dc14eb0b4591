import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

const AUTH_SECRET = 'secret-box-test-secret-0123456789abcdef';

/** A fresh copy of the module (and of lib/env's cache) under the given variables. */
async function load(vars: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
  return import('./secret-box');
}

function openWith(key: Buffer, sealed: string): string {
  const [, iv, ciphertext, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  const decipher = createDecipheriv('aes-256-gcm', key, iv!);
  decipher.setAuthTag(tag!);
  return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
}

/** Changes one character of one part, keeping it valid base64url. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const part = parts[index]!;
  parts[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
  return parts.join('.');
}

afterEach(() => vi.unstubAllEnvs());

describe('secret box', () => {
  it('round-trips, with a fresh IV every time', async () => {
    const { sealSecret, openSecret } = await load({ AUTH_SECRET, LINK_ENCRYPTION_KEY: undefined });
    for (const plaintext of ['sk-live-abc123', '', 'ünïcødé 🔑', 'x'.repeat(5000)]) {
      const sealed = sealSecret(plaintext);
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
      expect(openSecret(sealed)).toBe(plaintext);
    }
    const a = sealSecret('same');
    const b = sealSecret('same');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a).not.toContain(Buffer.from('same').toString('base64url'));
  });

  it('uses LINK_ENCRYPTION_KEY when it is set', async () => {
    const key = randomBytes(32);
    const { sealSecret } = await load({ AUTH_SECRET, LINK_ENCRYPTION_KEY: key.toString('base64') });
    expect(openWith(key, sealSecret('configured'))).toBe('configured');
  });

  it('otherwise derives the key from AUTH_SECRET with HKDF-SHA256', async () => {
    const { sealSecret } = await load({ AUTH_SECRET, LINK_ENCRYPTION_KEY: undefined });
    const derived = Buffer.from(hkdfSync('sha256', AUTH_SECRET, 'conduit', 'link-secrets', 32));
    expect(openWith(derived, sealSecret('derived'))).toBe('derived');
  });

  it('refuses tampered IVs, ciphertexts and tags', async () => {
    const { sealSecret, openSecret } = await load({ AUTH_SECRET, LINK_ENCRYPTION_KEY: undefined });
    const sealed = sealSecret('do not touch');
    for (const index of [1, 2, 3]) expect(() => openSecret(tamper(sealed, index))).toThrow();
    const [version, iv, ciphertext, tag] = sealed.split('.');
    // A truncated tag would weaken GCM's check; it is refused outright.
    expect(() => openSecret([version, iv, ciphertext, tag!.slice(0, 6)].join('.'))).toThrow();
    expect(() => openSecret([version, iv, ciphertext].join('.'))).toThrow();
    expect(() => openSecret(['v2', iv, ciphertext, tag].join('.'))).toThrow();
    expect(() => openSecret(['v1', iv, ciphertext + '==', tag].join('.'))).toThrow();
    expect(() => openSecret('plaintext-secret')).toThrow();
  });

  it('a value sealed under another key does not open', async () => {
    const first = await load({ AUTH_SECRET, LINK_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    const sealed = first.sealSecret('mine');
    const second = await load({ AUTH_SECRET, LINK_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    expect(() => second.openSecret(sealed)).toThrow();
  });
});
