import { describe, expect, it } from 'vitest';
import { linkSchemas } from '@/lib/links/schema';
import { presetDefaults } from '@/lib/links/presets';
import { linkFormErrors } from './link-form-errors';
import { linkFormToInput } from './link-form-input';
import { presetUpstream, TWILIO_PLACEHOLDER_SID } from './link-form-values';
import { linkBaseUrl, linkSnippets, samplePath } from './snippets';

// The link form speaks the management API's JSON, and the API's issues come back per field.

const schemas = linkSchemas({ allowPrivate: false });

function form(fields: Record<string, string>) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

const base = {
  name: 'Chat',
  preset: 'custom',
  upstream_base_url: 'https://api.example.com/v1',
  secret: 'sk-0123456789abcdef',
  injection_type: 'header',
  injection_name: 'X-Api-Key',
  allowed_paths: '/chat\n\nGET,post /models',
  extra_headers: 'api-version: 2024-01-01',
  allowed_origins: 'https://app.example.com/\nhttp://localhost:5173',
  jwt_mode: 'HS256',
  jwt_secret: 's'.repeat(32),
  jwt_audience: 'a, b',
  rate_per_minute: '60',
  user_rate_per_day: '',
  monthly_request_cap: '1000',
};

describe('link form', () => {
  it('turns the form into input the API schema accepts', () => {
    const parsed = schemas.create.parse(linkFormToInput(form(base), 'create'));
    expect(parsed).toMatchObject({
      injection: { type: 'header', name: 'x-api-key' },
      allowed_paths: [{ path: '/chat' }, { path: '/models', methods: ['GET', 'POST'] }],
      extra_headers: { 'api-version': '2024-01-01' },
      allowed_origins: ['https://app.example.com', 'http://localhost:5173'],
      jwt: { algorithm: 'HS256', audience: ['a', 'b'], user_claim: 'sub' },
      rate_limits: { per_minute: 60, per_hour: null, per_day: null },
      end_user_rate_limits: { per_day: null },
      monthly_request_cap: 1000,
    });
  });

  it('updates leave the preset alone and keep secrets that were not retyped', () => {
    const input = linkFormToInput(form({ ...base, secret: '', jwt_secret: '' }), 'update');
    expect(input).not.toHaveProperty('preset');
    expect(input).not.toHaveProperty('secret');
    expect(schemas.update.parse(input).jwt).not.toHaveProperty('secret');
  });

  it('maps the API issues to the fields, naming the offending line', () => {
    const raw = linkFormToInput(
      form({ ...base, upstream_base_url: 'ftp://x', allowed_paths: '/ok\nv1/bad', allowed_origins: 'https://*.x.com', rate_per_minute: '-1', jwt_secret: 'short' }),
      'create',
    );
    const errors = linkFormErrors(schemas.create.safeParse(raw).error!.issues, raw);
    expect(errors.upstream_base_url).toMatch(/^Refused/);
    expect(errors.allowed_paths).toMatch(/"v1\/bad" must start with \//);
    expect(errors.allowed_origins).toBe('“https://*.x.com”: Wildcards are not allowed: list each origin that may call this link');
    expect(errors.rate_per_minute).toMatch(/leave empty for no limit/);
    expect(errors.jwt_secret).toMatch(/at least 32/);
  });

  it("puts the Twilio Account SID typed into the preset's paths and Basic username", () => {
    const sid = `AC${'a'.repeat(32)}`;
    const values = presetUpstream(presetDefaults('twilio', { accountSid: TWILIO_PLACEHOLDER_SID }), sid);
    expect(values.injectionUsername).toBe(sid);
    expect(values.allowedPaths.split('\n')[0]).toBe(`/Accounts/${sid}/Messages.json`);
    expect(presetUpstream(presetDefaults('twilio', { accountSid: TWILIO_PLACEHOLDER_SID }), '').allowedPaths).toContain('{AccountSid}');
  });
});

describe('snippets', () => {
  const context = { base: 'https://conduit.example.com', linkId: 'labc', token: 'clt_x', preset: 'stripe', proxyDomain: 'proxy.example.com', jwt: false, samplePath: '/v1/customers' };

  it('call Stripe by host, with port and protocol only where needed', () => {
    const stripe = linkSnippets(context).primary[0]!;
    expect(stripe.code).toContain(`new Stripe('clt_x', { host: 'labc.proxy.example.com' })`);
    const local = linkSnippets({ ...context, base: 'http://127.0.0.1:3100', proxyDomain: 'proxy.localhost' }).primary[0]!;
    expect(local.code).toContain(`{ host: 'labc.proxy.localhost', port: 3100, protocol: 'http' }`);
  });

  it('say that Stripe needs PROXY_DOMAIN, and show fetch instead', () => {
    const stripe = linkSnippets({ ...context, proxyDomain: null }).primary[0]!;
    expect(stripe.note).toMatch(/needs PROXY_DOMAIN/);
    expect(stripe.code).toContain("fetch('https://conduit.example.com/proxy/labc/v1/customers'");
  });

  it('call the link on PROXY_HOST as the Conduit Link docs write it, when configured', () => {
    const hosted = { ...context, preset: 'openai', samplePath: '/v1/chat/completions', proxyHost: 'proxy.conduit.link' };
    const { primary, other } = linkSnippets(hosted);
    expect(primary[0]!.code).toContain("fetch('https://proxy.conduit.link/labc/v1/chat/completions'");
    expect(primary[1]!.code).toContain("baseURL: 'https://proxy.conduit.link/labc/v1',");
    expect(other.find((s) => s.kind === 'anthropic')!.code).toContain("baseURL: 'https://proxy.conduit.link/labc',");
    expect(linkBaseUrl(hosted)).toBe('https://proxy.conduit.link/labc');
    // A local installation serves every host on its own port; a port in PROXY_HOST wins.
    expect(linkBaseUrl({ base: 'http://127.0.0.1:3100', linkId: 'labc', proxyHost: 'links.localhost' })).toBe('http://links.localhost:3100/labc');
    expect(linkBaseUrl({ base: 'https://conduit.example.com', linkId: 'labc', proxyHost: 'links.example.com:8443' })).toBe('https://links.example.com:8443/labc');
    // Not configured: /proxy/{id} on the dashboard's host, as before.
    expect(linkBaseUrl({ ...hosted, proxyHost: null })).toBe('https://conduit.example.com/proxy/labc');
  });

  it("show the preset's own ways first and a path the link allows", () => {
    const { primary, other } = linkSnippets({ ...context, preset: 'openai', samplePath: '/v1/chat/completions', jwt: true });
    expect(primary.map((s) => s.kind)).toEqual(['fetch', 'openai']);
    expect(other.map((s) => s.kind)).toEqual(['anthropic', 'stripe']);
    expect(primary[1]!.code).toContain("baseURL: 'https://conduit.example.com/proxy/labc/v1'");
    expect(primary[0]!.code).toContain("'Authorization': `Bearer ${userJwt}`");
    expect(samplePath('custom', [{ path: '/items/*' }, { path: '/health', methods: ['GET'] }])).toBe('/health');
  });
});
