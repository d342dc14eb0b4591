import { describe, expect, it } from 'vitest';

// AUTH_URL set: links in mail use it, whatever Host or X-Forwarded-Host a request claims.
process.env.AUTH_URL = 'https://conduit.example.com';
process.env.TRUSTED_PROXY_COUNT = '1';
const { emailLink, emailLinkOriginOf } = await import('./origin');

describe('the origin of emailed links', () => {
  it('is AUTH_URL, never a Host header an attacker chose', () => {
    const attacker = new Headers({ host: 'attacker.example', 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'http' });
    expect(emailLinkOriginOf(attacker)).toBe('https://conduit.example.com');
    expect(emailLink(emailLinkOriginOf(attacker), '/reset-password', 'abc_-123')).toBe('https://conduit.example.com/reset-password?token=abc_-123');
  });
});
