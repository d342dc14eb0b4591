import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// The links management API end to end through its route handlers, on real PostgreSQL + Redis in CI.
const services = await useTestServices();
process.env.PROXY_DOMAIN = 'links.conduit.test';
const { call, testAccount } = await import('./testing');
const { lookupLink } = await import('./cache');
const { verifyAccessToken } = await import('./access');
const { LINK_ID_PATTERN } = await import('./ids');
const collection = await import('@/app/api/v1/links/route');
const item = await import('@/app/api/v1/links/[id]/route');
const enable = await import('@/app/api/v1/links/[id]/enable/route');
const disable = await import('@/app/api/v1/links/[id]/disable/route');
const tokens = await import('@/app/api/v1/links/[id]/tokens/route');
const token = await import('@/app/api/v1/links/[id]/tokens/[tokenId]/route');
afterAll(() => services.cleanup());

let alice: string;
let bob: string;
beforeAll(async () => {
  alice = (await testAccount('alice')).token;
  bob = (await testAccount('bob')).token;
});

const SECRET = 'sk-live-0123456789abcdefWXYZ';
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const create = (body: Record<string, unknown>, as = alice) => call(collection.POST, { token: as, method: 'POST', body });

const presets = [
  ['openai', 'https://api.openai.com', { type: 'bearer' }, {}, ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/images/generations', '/v1/audio/transcriptions', '/v1/models']],
  ['anthropic', 'https://api.anthropic.com', { type: 'header', name: 'x-api-key' }, { 'anthropic-version': '2023-06-01' }, ['/v1/messages', '/v1/complete']],
  ['stripe', 'https://api.stripe.com', { type: 'bearer' }, {}, ['/v1/customers', '/v1/payment_intents', '/v1/payment_methods', '/v1/subscriptions', '/v1/prices', '/v1/products', '/v1/checkout/sessions']],
  ['google_maps', 'https://maps.googleapis.com/maps/api', { type: 'query', name: 'key' }, {}, ['/geocode/json', '/place/autocomplete/json', '/place/details/json', '/directions/json', '/distancematrix/json', '/elevation/json', '/timezone/json']],
  ['sendgrid', 'https://api.sendgrid.com/v3', { type: 'bearer' }, {}, ['/mail/send', '/mail/batch', '/marketing/contacts', '/marketing/lists']],
  ['twilio', 'https://api.twilio.com/2010-04-01', { type: 'basic', username: SID }, {}, [`/Accounts/${SID}/Messages.json`, `/Accounts/${SID}/Calls.json`, `/Accounts/${SID}/IncomingPhoneNumbers.json`, `/Accounts/${SID}/AvailablePhoneNumbers/*`]],
] as const;

describe(`links management API on ${services.label}`, () => {
  it.each(presets)('creates a %s link from its preset, with an access token shown once', async (preset, base, injection, extra, paths) => {
    const created = await create({ name: `${preset} link`, preset, secret: SECRET, ...(preset === 'twilio' ? { account_sid: SID } : {}) });
    expect(created.status).toBe(201);
    const link = created.body;
    expect(link.id).toMatch(LINK_ID_PATTERN);
    expect(link).toMatchObject({
      object: 'link',
      preset,
      status: 'active',
      proxy_url: `/proxy/${link.id}`,
      host: `${link.id}.links.conduit.test`,
      upstream_base_url: base,
      secret_hint: 'WXYZ',
      injection,
      extra_headers: extra,
      allowed_origins: [],
      jwt: null,
    });
    expect(link.allowed_paths).toEqual(paths.map((path) => ({ path })));
    expect(link.access_token).toMatch(/^clt_[0-9A-Za-z]{40}$/);
    expect(created.text).not.toContain(SECRET);
    expect(created.text).not.toContain('sealed');

    expect(await verifyAccessToken(link.id, link.access_token)).toBe('VALID');
    const record = await lookupLink(link.id);
    expect(record).toMatchObject({ id: link.id, enabled: true, upstreamBaseUrl: base, injection, extraHeaders: extra, jwt: null });
    expect(record?.secretSealed).toMatch(/^v1\./);

    const fetched = await call(item.GET, { token: alice, params: { id: link.id } });
    expect(fetched.body.access_token).toBeUndefined();
    expect(fetched.text).not.toContain(link.access_token);
    expect(fetched.text).not.toContain(SECRET);
  });

  it('creates a custom link with every setting, normalised', async () => {
    const created = await create({
      name: 'custom',
      description: 'everything',
      secret: SECRET,
      upstream_base_url: 'https://API.example.com/v2/',
      injection: { type: 'header', name: 'X-Api-Key' },
      extra_headers: { 'X-Client': 'conduit' },
      allowed_paths: ['/things', { path: '/things/*', methods: ['GET', 'DELETE'] }],
      allowed_origins: ['https://App.Example.com/', 'http://localhost:5173', 'http://localhost:5173'],
      jwt: { algorithm: 'HS256', secret: 'x'.repeat(40), issuer: 'https://auth.example.com', audience: ['a', 'b'] },
      rate_limits: { per_minute: 10, per_day: 1000 },
      end_user_rate_limits: { per_hour: 50 },
      monthly_request_cap: 100_000,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      upstream_base_url: 'https://api.example.com/v2',
      injection: { type: 'header', name: 'x-api-key' },
      extra_headers: { 'x-client': 'conduit' },
      allowed_paths: [{ path: '/things' }, { path: '/things/*', methods: ['GET', 'DELETE'] }],
      allowed_origins: ['https://app.example.com', 'http://localhost:5173'],
      jwt: { algorithm: 'HS256', has_secret: true, jwks_url: null, issuer: 'https://auth.example.com', audience: ['a', 'b'], user_claim: 'sub' },
      rate_limits: { per_minute: 10, per_hour: null, per_day: 1000 },
      end_user_rate_limits: { per_minute: null, per_hour: 50, per_day: null },
      monthly_request_cap: 100_000,
    });
    expect(created.text).not.toContain('x'.repeat(40));
    const record = await lookupLink(created.body.id);
    expect(record?.jwt).toMatchObject({ algorithm: 'HS256', issuer: 'https://auth.example.com', userClaim: 'sub' });
    expect(record?.rateLimits).toEqual({ minute: 10, hour: null, day: 1000 });
    expect(record?.endUserRateLimits).toEqual({ minute: null, hour: 50, day: null });
  });

  const custom = { name: 'bad', secret: SECRET, upstream_base_url: 'https://api.example.com', injection: { type: 'bearer' }, allowed_paths: ['/x'] };
  it.each([
    [{ ...custom, upstream_base_url: 'http://api.example.com' }, 'upstream_base_url'],
    [{ ...custom, upstream_base_url: 'https://10.0.0.5/api' }, 'upstream_base_url'],
    [{ ...custom, upstream_base_url: 'https://127.0.0.1' }, 'upstream_base_url'],
    [{ ...custom, upstream_base_url: 'https://[::1]:8443' }, 'upstream_base_url'],
    [{ ...custom, upstream_base_url: 'https://169.254.169.254/latest' }, 'upstream_base_url'],
    [{ ...custom, upstream_base_url: 'https://localhost' }, 'upstream_base_url'],
    [{ ...custom, upstream_base_url: undefined }, 'upstream_base_url'],
    [{ ...custom, secret: undefined }, 'secret'],
    [{ ...custom, allowed_origins: ['*'] }, 'allowed_origins.0'],
    [{ ...custom, allowed_origins: ['https://*.example.com'] }, 'allowed_origins.0'],
    [{ ...custom, allowed_origins: ['https://app.example.com/login'] }, 'allowed_origins.0'],
    [{ ...custom, allowed_paths: [] }, 'allowed_paths'],
    [{ ...custom, allowed_paths: ['v1/no-slash'] }, 'allowed_paths.0'],
    [{ ...custom, allowed_paths: ['/v1/../admin'] }, 'allowed_paths.0'],
    [{ ...custom, allowed_paths: ['/v1/**/x'] }, 'allowed_paths.0'],
    [{ ...custom, allowed_paths: ['/ok', '/v1/a*'] }, 'allowed_paths.1'],
    [{ ...custom, injection: { type: 'header', name: 'host' } }, 'injection.name'],
    [{ ...custom, jwt: { algorithm: 'HS256', secret: 'too-short' } }, 'jwt.secret'],
    [{ ...custom, jwt: { algorithm: 'RS256' } }, 'jwt.jwks_url'],
    [{ ...custom, jwt: { algorithm: 'ES256', jwks_url: 'https://192.168.1.1/jwks.json' } }, 'jwt.jwks_url'],
    [{ ...custom, jwt: { algorithm: 'none' } }, 'jwt.algorithm'],
    [{ ...custom, rate_limits: { per_minute: 0 } }, 'rate_limits.per_minute'],
    [{ name: 'twilio', preset: 'twilio', secret: SECRET }, 'account_sid'],
    [{ name: 'twilio', preset: 'twilio', secret: SECRET, account_sid: 'AC123' }, 'account_sid'],
    [{ ...custom, colour: 'blue' }, null],
  ])('refuses %j with a 400 naming %s, and creates nothing', async (body, param) => {
    const before = (await call(collection.GET, { token: alice })).body.data.length;
    const result = await create(body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: 'invalid_request_error', param });
    expect((await call(collection.GET, { token: alice })).body.data.length).toBe(before);
  });

  it('refuses a PATCH whose limit contradicts one already stored, and changes nothing', async () => {
    const { id } = (await create({ name: 'limited', preset: 'openai', secret: SECRET, end_user_rate_limits: { per_hour: 10 } })).body;
    const patched = await call(item.PATCH, { token: alice, method: 'PATCH', params: { id }, body: { end_user_rate_limits: { per_minute: 20 } } });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toMatchObject({
      param: 'end_user_rate_limits.per_minute',
      message: 'end_user_rate_limits.per_minute: Must be at most the limit per hour (10 requests)',
    });
    expect((await call(item.GET, { token: alice, params: { id } })).body.end_user_rate_limits).toMatchObject({ per_minute: null, per_hour: 10 });
  });

  it("never shows or touches another account's links or tokens (404)", async () => {
    const mine = (await create({ name: 'alice only', preset: 'openai', secret: SECRET })).body;
    expect((await call(collection.GET, { token: bob })).body.data.map((link: { id: string }) => link.id)).not.toContain(mine.id);
    const id = mine.id;
    for (const [handler, method, params, body] of [
      [item.GET, 'GET', { id }, undefined],
      [item.PATCH, 'PATCH', { id }, { name: 'stolen' }],
      [item.DELETE, 'DELETE', { id }, undefined],
      [enable.POST, 'POST', { id }, undefined],
      [disable.POST, 'POST', { id }, undefined],
      [tokens.GET, 'GET', { id }, undefined],
      [tokens.POST, 'POST', { id }, { name: 'mine now' }],
      [token.DELETE, 'DELETE', { id, tokenId: mine.access_token_id }, undefined],
    ] as const) {
      const result = await call(handler, { token: bob, method, params, body });
      expect(result.status).toBe(404);
      expect(result.body.error.code).toBe('link_not_found');
    }
    expect((await call(item.GET, { token: alice, params: { id } })).body).toMatchObject({ name: 'alice only', status: 'active' });
    expect(await verifyAccessToken(id, mine.access_token)).toBe('VALID');
    expect((await call(tokens.GET, { token: alice, params: { id } })).body.data).toHaveLength(1);
  });
});
