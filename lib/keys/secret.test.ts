import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, looksLike, SECRET_LENGTH } from './secret';

describe('API key secrets', () => {
  it('look like condt_ + 40 base62 characters and show only their start', async () => {
    const secret = await generateSecret('apiKey');
    expect(secret.plaintext).toMatch(/^condt_[0-9A-Za-z]{40}$/);
    expect(secret.start).toBe(secret.plaintext.slice(0, 10));
    expect(looksLike('apiKey', secret.plaintext)).toBe(true);
    expect(looksLike('managementToken', secret.plaintext)).toBe(false);
  });

  it('are stored as the SHA-256 of the plaintext', async () => {
    const secret = await generateSecret('apiKey');
    expect(secret.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.hash).toBe(await hashSecret(secret.plaintext));
    // Known vector: SHA-256("abc").
    expect(await hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('never repeat and use the whole alphabet about evenly', async () => {
    const secrets = await Promise.all(Array.from({ length: 2000 }, () => generateSecret('apiKey')));
    expect(new Set(secrets.map((s) => s.plaintext)).size).toBe(2000);
    const counts = new Map<string, number>();
    for (const { plaintext } of secrets) for (const char of plaintext.slice(6)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * SECRET_LENGTH) / 62; // ≈ 1290 per character
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.15);
  });

  it('management tokens have their own prefix', async () => {
    const token = await generateSecret('managementToken');
    expect(token.plaintext).toMatch(/^cmt_[0-9A-Za-z]{40}$/);
    expect(looksLike('apiKey', token.plaintext)).toBe(false);
  });
});
