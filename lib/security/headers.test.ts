import { describe, expect, it } from 'vitest';
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS, newNonce, pageContentSecurityPolicy } from './headers';

const directives = (policy: string) => new Map(policy.split('; ').map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1)]));

describe('security headers', () => {
  it("pages: scripts only by this response's nonce, no inline or eval scripts in production, never framed", () => {
    const policy = directives(pageContentSecurityPolicy({ nonce: 'abc123', https: false, dev: false }));
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy.get('style-src')).toEqual(["'self'", "'nonce-abc123'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('form-action')).toEqual(["'self'", 'https://checkout.stripe.com', 'https://billing.stripe.com', 'https://github.com']);
    expect(policy.has('upgrade-insecure-requests')).toBe(false);
    expect([...policy.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('pages over https upgrade subresources; next dev may eval; a Stripe stand-in may receive forms', () => {
    expect(directives(pageContentSecurityPolicy({ nonce: 'n', https: true, dev: false })).has('upgrade-insecure-requests')).toBe(true);
    expect(directives(pageContentSecurityPolicy({ nonce: 'n', https: false, dev: true })).get('script-src')).toContain("'unsafe-eval'");
    const policy = directives(pageContentSecurityPolicy({ nonce: 'n', https: false, dev: false, extraFormActions: ['http://127.0.0.1:3111'] }));
    expect(policy.get('form-action')).toContain('http://127.0.0.1:3111');
  });

  it('/api loads nothing and is never framed; every surface gets nosniff and DENY', () => {
    const policy = directives(API_CONTENT_SECURITY_POLICY);
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.has('script-src')).toBe(false);
    expect(COMMON_SECURITY_HEADERS).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' });
  });

  it('nonces are 128 random bits, base64, never repeated', () => {
    const nonces = new Set(Array.from({ length: 1000 }, newNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});
