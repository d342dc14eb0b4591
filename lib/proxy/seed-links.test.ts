import { describe, expect, it } from 'vitest';
import { allowedPathsSchema, compileAllowedPaths, pinSegment } from './allowed-paths';
import { canonicalizePath } from './canonical-path';
import { forwardRequestHeaders } from './headers';
import { injectSecret, type Injection } from './inject';
import { upstreamUrl } from './path';
import { checkUpstreamBase } from './ssrf';

/**
 * The seed's Conduit Link examples, end to end through the security core: the documented
 * allowed_paths, the example requests' paths and queries, and the URL and headers the upstream
 * would get. Where the seed puts `/v1` in the Conduit base URL (OpenAI, Stripe), that prefix is
 * part of the client's path and the link's upstream is the bare origin; where it does not
 * (Google Maps, SendGrid, Twilio), the upstream base carries the path.
 */

interface Sent {
  url: string;
  headers: Record<string, string>;
}

function proxy(link: { base: string; allowedPaths: unknown[]; injection: Injection; secret: string }, method: string, target: string, headers: Record<string, string> = {}): Sent | 'refused' {
  expect(checkUpstreamBase(link.base, { allowPrivate: false })).toMatchObject({ ok: true });
  const [rawPath = '', query = ''] = target.split('?');
  const canonical = canonicalizePath(rawPath);
  if (!canonical.ok) return 'refused';
  const allowed = compileAllowedPaths(allowedPathsSchema.parse(link.allowedPaths));
  if (!allowed(method, canonical.path)) return 'refused';
  const url = upstreamUrl(link.base, canonical.path, new URLSearchParams(query));
  const outgoing = forwardRequestHeaders(new Headers({ 'x-access-token': 'clt_browser', ...headers }));
  injectSecret(outgoing, url, link.secret, link.injection);
  return { url: url.href, headers: Object.fromEntries(outgoing) };
}

describe('seed: OpenAI', () => {
  const link = {
    base: 'https://api.openai.com',
    allowedPaths: ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/images/generations', '/v1/audio/transcriptions', '/v1/models'],
    injection: { type: 'bearer' } as const,
    secret: 'sk-proj-real',
  };

  it('forwards chat completions with our key instead of the SDK dummy key and the user JWT', () => {
    expect(proxy(link, 'POST', '/v1/chat/completions', { authorization: 'Bearer YOUR_USER_JWT_TOKEN', 'content-type': 'application/json' })).toEqual({
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { authorization: 'Bearer sk-proj-real', 'content-type': 'application/json' },
    });
    expect(proxy(link, 'GET', '/v1/models')).toMatchObject({ url: 'https://api.openai.com/v1/models' });
  });

  it('blocks what the seed says is blocked by default', () => {
    for (const path of ['/v1/files', '/v1/fine-tunes', '/v1/organizations', '/v1/models/gpt-4o', '/v1/chat/completions/x']) {
      expect(proxy(link, 'GET', path)).toBe('refused');
    }
  });
});

describe('seed: Stripe', () => {
  const link = {
    base: 'https://api.stripe.com',
    allowedPaths: ['/v1/customers', '/v1/payment_intents', '/v1/payment_methods', '/v1/subscriptions', '/v1/prices', '/v1/products', '/v1/checkout/sessions'],
    injection: { type: 'basic' } as const,
    secret: 'sk_test_real',
  };

  it('creates customers and payment intents, authenticated as `sk:` (Basic, empty password)', () => {
    expect(proxy(link, 'POST', '/v1/customers', { 'content-type': 'application/x-www-form-urlencoded', 'stripe-version': '2023-10-16' })).toEqual({
      url: 'https://api.stripe.com/v1/customers',
      headers: {
        authorization: `Basic ${Buffer.from('sk_test_real:').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'stripe-version': '2023-10-16',
      },
    });
    expect(proxy(link, 'POST', '/v1/payment_intents')).toMatchObject({ url: 'https://api.stripe.com/v1/payment_intents' });
  });

  it('patterns are exact: one customer by id needs /v1/customers/* listed', () => {
    expect(proxy(link, 'GET', '/v1/customers/cus_123')).toBe('refused');
    expect(proxy(link, 'POST', '/v1/charges')).toBe('refused');
    expect(proxy({ ...link, allowedPaths: [...link.allowedPaths, { path: '/v1/customers/*', methods: ['GET'] }] }, 'GET', '/v1/customers/cus_123')).toMatchObject({
      url: 'https://api.stripe.com/v1/customers/cus_123',
    });
  });
});

describe('seed: Google Maps', () => {
  const link = {
    base: 'https://maps.googleapis.com/maps/api',
    allowedPaths: ['/geocode/json', '/place/autocomplete/json', '/place/details/json', '/directions/json', '/distancematrix/json', '/elevation/json', '/timezone/json'],
    injection: { type: 'query', name: 'key' } as const,
    secret: 'AIza-real',
  };

  it('geocodes an address with the key appended after the client query', () => {
    const query = new URLSearchParams({ address: '1600 Amphitheatre Parkway, Mountain View, CA' });
    expect(proxy(link, 'GET', `/geocode/json?${query}`)).toMatchObject({
      url: 'https://maps.googleapis.com/maps/api/geocode/json?address=1600+Amphitheatre+Parkway%2C+Mountain+View%2C+CA&key=AIza-real',
    });
  });

  it('autocompletes places, and a client-supplied key never survives', () => {
    const query = new URLSearchParams({ input: 'Eiffel', types: 'establishment', language: 'en', key: 'AIza-attacker' });
    expect(proxy(link, 'GET', `/place/autocomplete/json?${query}`)).toMatchObject({
      url: 'https://maps.googleapis.com/maps/api/place/autocomplete/json?input=Eiffel&types=establishment&language=en&key=AIza-real',
    });
    expect(proxy(link, 'GET', '/staticmap?center=Paris')).toBe('refused');
  });
});

describe('seed: Anthropic', () => {
  const link = { base: 'https://api.anthropic.com', allowedPaths: ['/v1/messages', '/v1/complete'], injection: { type: 'header', name: 'x-api-key' } as const, secret: 'sk-ant-real' };

  it('sends messages with x-api-key and keeps anthropic-version', () => {
    const sent = proxy(link, 'POST', '/v1/messages', {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      authorization: 'Bearer YOUR_USER_JWT_TOKEN',
      origin: 'https://app.example',
    });
    expect(sent).toEqual({
      url: 'https://api.anthropic.com/v1/messages',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-real' },
    });
    expect(proxy(link, 'POST', '/v1/messages/batches')).toBe('refused');
  });
});

describe('seed: SendGrid', () => {
  const link = { base: 'https://api.sendgrid.com/v3', allowedPaths: ['/mail/send', '/mail/batch', '/marketing/contacts', '/marketing/lists'], injection: { type: 'bearer' } as const, secret: 'SG.real' };

  it('sends mail under the /v3 base path', () => {
    expect(proxy(link, 'POST', '/mail/send', { 'content-type': 'application/json' })).toEqual({
      url: 'https://api.sendgrid.com/v3/mail/send',
      headers: { authorization: 'Bearer SG.real', 'content-type': 'application/json' },
    });
    expect(proxy(link, 'GET', '/api_keys')).toBe('refused');
  });
});

describe('seed: Twilio', () => {
  const sid = 'AC0123456789abcdef0123456789abcdef';
  const patterns = ['/Accounts/*/Messages.json', '/Accounts/*/Calls.json', '/Accounts/*/IncomingPhoneNumbers.json', '/Accounts/*/AvailablePhoneNumbers/*'];
  const pinned = patterns.map((pattern) => {
    const result = pinSegment(pattern, 1, sid);
    if (!result.ok) throw new Error(result.reason);
    return result.path;
  });
  const link = { base: 'https://api.twilio.com/2010-04-01', allowedPaths: pinned, injection: { type: 'basic', username: sid } as const, secret: 'auth-token' };

  it('sends an SMS for the pinned account with Basic sid:token', () => {
    expect(pinned[0]).toBe(`/Accounts/${sid}/Messages.json`);
    expect(proxy(link, 'POST', `/Accounts/${sid}/Messages.json`, { 'content-type': 'application/x-www-form-urlencoded' })).toEqual({
      url: `https://api.twilio.com/2010-04-01/Accounts/${sid}/Messages.json`,
      headers: {
        authorization: `Basic ${Buffer.from(`${sid}:auth-token`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
  });

  it('refuses another account (a subaccount the same token could reach) and deeper paths', () => {
    expect(proxy(link, 'POST', '/Accounts/ACffffffffffffffffffffffffffffffff/Messages.json')).toBe('refused');
    expect(proxy(link, 'GET', `/Accounts/${sid}/AvailablePhoneNumbers/US`)).toMatchObject({ url: expect.stringContaining('/AvailablePhoneNumbers/US') });
    // `*` is one segment: Twilio's real /AvailablePhoneNumbers/US/Local.json needs `**`.
    expect(proxy(link, 'GET', `/Accounts/${sid}/AvailablePhoneNumbers/US/Local.json`)).toBe('refused');
  });
});
