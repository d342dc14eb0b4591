import { describe, expect, it } from 'vitest';
import { compileAllowedPaths } from '@/lib/proxy/path';
import { isLinkId, newLinkId } from './ids';
import { originSchema } from './origins';
import { LINK_PRESETS, presetDefaults } from './presets';
import { linkSchemas } from './schema';

// The link settings rules on their own (no database): what the API and the forms accept.
const strict = linkSchemas({ allowPrivate: false });
const lax = linkSchemas({ allowPrivate: true });
const custom = { name: 'x', secret: 'sk-abc', injection: { type: 'bearer' }, allowed_paths: ['/x'] };

describe('link settings', () => {
  it('allow http:// and private upstreams only when the deployment allows them', () => {
    for (const url of ['http://127.0.0.1:8080/api/', 'https://10.1.2.3', 'http://localhost:5173', 'https://[::1]/v1']) {
      expect(strict.create.safeParse({ ...custom, upstream_base_url: url }).success).toBe(false);
      expect(lax.create.safeParse({ ...custom, upstream_base_url: url }).success).toBe(true);
    }
    expect(lax.create.parse({ ...custom, upstream_base_url: 'http://127.0.0.1:8080/api/' }).upstream_base_url).toBe('http://127.0.0.1:8080/api');
    expect(strict.create.safeParse({ ...custom, upstream_base_url: 'https://api.example.com/v1?x=1' }).success).toBe(false);
    expect(strict.create.safeParse({ ...custom, upstream_base_url: 'https://user:pw@api.example.com' }).success).toBe(false);
  });

  it('store origins the way browsers send them, and nothing looser', () => {
    expect(originSchema.parse('https://App.Example.COM/')).toBe('https://app.example.com');
    expect(originSchema.parse('https://app.example.com:443')).toBe('https://app.example.com');
    expect(originSchema.parse(' http://localhost:5173 ')).toBe('http://localhost:5173');
    for (const bad of ['*', 'https://*.example.com', 'null', 'app.example.com', 'ftp://example.com', 'https://a.com/x', 'https://a.com?x', 'https://u@a.com']) {
      expect(originSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('every preset parses with nothing but a name and a secret (Twilio: and its Account SID)', () => {
    const sid = `AC${'f'.repeat(32)}`;
    for (const preset of LINK_PRESETS.filter((p) => p !== 'custom')) {
      const parsed = strict.create.parse({ name: preset, preset, secret: 'secret-1234', ...(preset === 'twilio' ? { account_sid: sid } : {}) });
      expect(parsed.allowed_paths.length).toBeGreaterThan(0);
      expect(parsed.upstream_base_url).toMatch(/^https:\/\//);
    }
    expect(presetDefaults('custom')).toBeNull();
    expect(presetDefaults('twilio', { accountSid: 'ACnope' })).toBeNull();
  });

  it("pins Twilio's /Accounts/* to the link's own Account SID", () => {
    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    const allowed = compileAllowedPaths(presetDefaults('twilio', { accountSid: sid })!.allowed_paths);
    expect(allowed('POST', `/Accounts/${sid}/Messages.json`)).toBe(true);
    expect(allowed('GET', `/Accounts/${sid}/AvailablePhoneNumbers/US`)).toBe(true);
    expect(allowed('POST', `/Accounts/AC${'9'.repeat(32)}/Messages.json`)).toBe(false);
    expect(allowed('GET', `/Accounts/${sid}.json`)).toBe(false);
  });

  it('preset fields can be overridden', () => {
    const parsed = strict.create.parse({ name: 'o', preset: 'openai', secret: 'sk-1', allowed_paths: [{ path: '/v1/models', methods: ['GET'] }] });
    expect(parsed.allowed_paths).toEqual([{ path: '/v1/models', methods: ['GET'] }]);
    expect(parsed.injection).toEqual({ type: 'bearer' });
  });

  it('refuse secrets that could not travel in a request', () => {
    expect(strict.create.safeParse({ ...custom, upstream_base_url: 'https://a.example.com', secret: 'line\nbreak' }).success).toBe(false);
    expect(strict.create.safeParse({ ...custom, upstream_base_url: 'https://a.example.com', secret: 'ключ' }).success).toBe(false);
    const query = { ...custom, upstream_base_url: 'https://a.example.com', injection: { type: 'query', name: 'key' }, secret: 'ключ' };
    expect(strict.create.safeParse(query).success).toBe(true);
  });

  it('updates: anything may change except the preset; an HS256 secret may be left out', () => {
    expect(strict.update.safeParse({}).success).toBe(false);
    expect(strict.update.safeParse({ preset: 'stripe' }).success).toBe(false);
    expect(strict.update.parse({ jwt: { algorithm: 'HS256', issuer: 'me' } }).jwt).toEqual({ algorithm: 'HS256', issuer: 'me', user_claim: 'sub' });
    expect(strict.create.safeParse({ ...custom, upstream_base_url: 'https://a.example.com', jwt: { algorithm: 'HS256' } }).success).toBe(false);
    expect(strict.update.safeParse({ jwt: { algorithm: 'HS256', jwks_url: 'https://a.example.com/jwks' } }).success).toBe(false);
    expect(strict.update.safeParse({ jwt: { algorithm: 'ES256', jwks_url: 'https://a.example.com/jwks', secret: 'x'.repeat(40) } }).success).toBe(false);
  });

  it('link ids are lower-case DNS labels from the CSPRNG', () => {
    const ids = Array.from({ length: 500 }, newLinkId);
    expect(new Set(ids).size).toBe(500);
    for (const id of ids) expect(id).toMatch(/^l[0-9a-z]{23}$/);
    expect(isLinkId(ids[0]!)).toBe(true);
    expect(isLinkId(ids[0]!.toUpperCase())).toBe(false);
  });
});
