import Anthropic from '@anthropic-ai/sdk';
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { awayFromMinuteEdge } from '@/lib/testing/clock';
import { JWT_SECRET, startLinks, userJwt } from './testing';

/**
 * Conduit Link end to end (lib/proxy/testing.ts): the official SDKs and plain fetch through
 * a link, CORS, limits, timeouts and usage. The attack corpus is in proxy-attacks.test.ts.
 */
const links = await startLinks();
const { anthropicMock, generic, link, openaiMock, port, server } = links;
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
afterAll(() => links.close());

describe(`Conduit Link on ${links.label}`, () => {
  it('the OpenAI SDK works unchanged through a link (chat and streaming); only the real key reaches OpenAI', async () => {
    const { id, token } = await link({ preset: 'openai', upstream_base_url: openaiMock.url, secret: openaiMock.apiKey });
    const openai = new OpenAI({ apiKey: 'dummy-key', baseURL: `${server.url}/proxy/${id}/v1`, defaultHeaders: { 'X-Access-Token': token }, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(completion.choices[0]!.message.content).toContain('Hello!');
    const seen = openaiMock.requests.at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${openaiMock.apiKey}`);
    expect(JSON.stringify(seen.headers)).not.toContain(token);
    expect(seen.headers['x-access-token']).toBeUndefined();

    const stream = await openai.chat.completions.create({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'a b c d' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toContain('a b c d');
  });

  it('the Anthropic SDK works through a link; the key goes in x-api-key with anthropic-version', async () => {
    const { id, token } = await link({ preset: 'anthropic', upstream_base_url: anthropicMock.url, secret: anthropicMock.apiKey });
    const anthropic = new Anthropic({ apiKey: 'dummy-key', baseURL: `${server.url}/proxy/${id}`, defaultHeaders: { 'X-Access-Token': token }, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: 'claude-3-opus-20240229', max_tokens: 64, messages: [{ role: 'user', content: 'Hi Claude' }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const seen = anthropicMock.requests.at(-1)!;
    expect(seen.headers['x-api-key']).toBe(anthropicMock.apiKey);
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers.authorization).toBeUndefined();

    const stream = anthropic.messages.stream({ model: 'claude-3-opus-20240229', max_tokens: 64, messages: [{ role: 'user', content: 'stream it' }] });
    expect((await stream.finalMessage()).content.length).toBeGreaterThan(0);
  });

  it('the Stripe SDK works by host, with the access token as its API key', async () => {
    const { id, token } = await link({ preset: 'stripe', upstream_base_url: generic.url, secret: 'sk_test_real_secret' });
    // `{linkId}.proxy.test` resolves to this machine, as a wildcard DNS record would in production.
    const lookup = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
    const httpAgent = new Agent({ lookup } as ConstructorParameters<typeof Agent>[0]);
    const stripe = new Stripe(token, { host: `${id}.proxy.test`, port, protocol: 'http', httpAgent, maxNetworkRetries: 0 });
    const customer = await stripe.customers.create({ email: 'john@example.com', name: 'John Doe' });
    expect(customer.id).toBe('cus_123');
    const seen = generic.arrivals.at(-1)!;
    expect(seen.path).toBe('/v1/customers');
    expect(seen.headers.get('authorization')).toBe(`Bearer sk_test_real_secret`);
    expect(seen.body).toContain('email=john%40example.com');
  });

  it('Google Maps: the key goes in the query, replacing any the client sent', async () => {
    const { id, token } = await link({ preset: 'google_maps', upstream_base_url: generic.url, secret: 'AIza-real-key' });
    const response = await fetch(`${server.url}/proxy/${id}/geocode/json?address=1600+Amphitheatre&key=attacker&KEY=x`, { headers: { 'X-Access-Token': token } });
    expect(response.status).toBe(200);
    const seen = generic.arrivals.at(-1)!;
    expect(seen.path).toBe('/geocode/json');
    expect(seen.query.getAll('key')).toEqual(['AIza-real-key']);
    expect(seen.query.get('KEY')).toBeNull();
    expect(seen.query.get('address')).toBe('1600 Amphitheatre');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('asks the upstream for an unencoded body, and relays an encoded one untouched with its encoding', async () => {
    const original = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ i, text: 'compressible text' })) });
    const seenEncodings: (string | undefined)[] = [];
    const gzipping = createServer((req, res) => {
      seenEncodings.push(req.headers['accept-encoding']);
      // A server that compresses whatever it was asked.
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(original));
    });
    await new Promise<void>((resolve) => gzipping.listen(0, '127.0.0.1', resolve));
    try {
      const { id, token } = await link({ preset: 'custom', upstream_base_url: `http://127.0.0.1:${(gzipping.address() as AddressInfo).port}`, secret: 's', allowed_paths: ['/items'], injection: { type: 'bearer' } });
      const response = await fetch(`${server.url}/proxy/${id}/items`, { headers: { 'X-Access-Token': token, 'accept-encoding': 'gzip, br' } });
      expect(response.headers.get('content-encoding')).toBe('gzip');
      // fetch decodes it: the bytes arrived exactly as the upstream encoded them.
      expect(await response.text()).toBe(original);
      expect(seenEncodings).toEqual(['identity']);
    } finally {
      await new Promise((resolve) => gzipping.close(resolve));
    }
  });

  it('SendGrid mail/send with a bearer key, and Twilio Messages.json with Basic auth pinned to the account', async () => {
    const sendgrid = await link({ preset: 'sendgrid', upstream_base_url: generic.url, secret: 'SG.real' });
    const mail = await fetch(`${server.url}/proxy/${sendgrid.id}/mail/send`, {
      method: 'POST',
      headers: { 'X-Access-Token': sendgrid.token, 'content-type': 'application/json' },
      body: JSON.stringify({ personalizations: [{ to: [{ email: 'r@example.com' }] }] }),
    });
    expect(mail.status).toBe(200);
    expect(generic.arrivals.at(-1)!.headers.get('authorization')).toBe('Bearer SG.real');

    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    const twilio = await link({ preset: 'twilio', upstream_base_url: generic.url, secret: 'twilio-auth-token', account_sid: sid });
    const sms = await fetch(`${server.url}/proxy/${twilio.id}/Accounts/${sid}/Messages.json`, {
      method: 'POST',
      headers: { 'X-Access-Token': twilio.token, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+1234567890', Body: 'Hello' }),
    });
    expect(sms.status).toBe(200);
    expect(generic.arrivals.at(-1)!.headers.get('authorization')).toBe(`Basic ${Buffer.from(`${sid}:twilio-auth-token`).toString('base64')}`);
    const other = await fetch(`${server.url}/proxy/${twilio.id}/Accounts/AC${'f'.repeat(32)}/Messages.json`, { method: 'POST', headers: { 'X-Access-Token': twilio.token } });
    expect(other.status).toBe(403);
  });

  it('a streamed upload (chunked, no length) reaches the upstream whole', async () => {
    const upload = await link({ upstream_base_url: generic.url, secret: 'sk-upload', injection: { type: 'bearer' }, allowed_paths: ['/upload'] });
    const parts = ['{"part":1,', '"pad":"', 'y'.repeat(3000), '"}'];
    const body = new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/proxy/${upload.id}/upload`, {
      method: 'POST',
      headers: { 'X-Access-Token': upload.token, 'content-type': 'application/json' },
      body,
      // @ts-expect-error -- duplex is missing from the DOM types
      duplex: 'half',
    });
    expect(response.status).toBe(200);
    const arrival = generic.arrivals.at(-1)!;
    expect(arrival.path).toBe('/upload');
    expect(arrival.body).toBe(parts.join(''));
    expect(arrival.headers.get('authorization')).toBe('Bearer sk-upload');
  });


  it('an allowed origin gets its preflight answered without a token, and CORS on the answer', async () => {
    const { id, token } = await link({ preset: 'openai', upstream_base_url: openaiMock.url, secret: openaiMock.apiKey, allowed_origins: ['https://app.example.com'] });
    const preflight = await fetch(`${server.url}/proxy/${id}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-access-token' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-access-token');
    const response = await fetch(`${server.url}/proxy/${id}/v1/models`, { headers: { 'X-Access-Token': token, origin: 'https://app.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('per-link and per-user limits hold under parallel requests', async () => {
    await awayFromMinuteEdge();
    const perLink = await link({ preset: 'openai', upstream_base_url: openaiMock.url, secret: openaiMock.apiKey, rate_limits: { per_minute: 5 } });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${server.url}/proxy/${perLink.id}/v1/models`, { headers: { 'X-Access-Token': perLink.token } }).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);

    const perUser = await link({
      upstream_base_url: generic.url,
      secret: 'sk-per-user',
      injection: { type: 'bearer' },
      allowed_paths: ['/v1/models'],
      jwt: { algorithm: 'HS256', secret: JWT_SECRET },
      end_user_rate_limits: { per_minute: 3 },
    });
    const as = async (user: string) => {
      const headers = { 'X-Access-Token': perUser.token, authorization: `Bearer ${await userJwt({ sub: user })}` };
      return Promise.all(Array.from({ length: 8 }, () => fetch(`${server.url}/proxy/${perUser.id}/v1/models`, { headers }).then((r) => r.status)));
    };
    const [alice, bob] = await Promise.all([as('alice'), as('bob')]);
    expect(alice.filter((status) => status === 200)).toHaveLength(3);
    expect(bob.filter((status) => status === 200)).toHaveLength(3);
  });

  it('upstream timeouts → 504; every request through a link is recorded with its end user and bytes', async () => {
    const { id, token } = await link({ preset: 'openai', upstream_base_url: openaiMock.url, secret: openaiMock.apiKey });
    openaiMock.setBehaviour({ type: 'delay', ms: 3_000 });
    try {
      expect((await fetch(`${server.url}/proxy/${id}/v1/models`, { headers: { 'X-Access-Token': token } })).status).toBe(504);
    } finally {
      openaiMock.setBehaviour({ type: 'normal' });
    }
    const ok = await fetch(`${server.url}/proxy/${id}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'X-Access-Token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'count my tokens' }] }),
    });
    await ok.text();
    // Records are written after the response: drain until both have arrived (a loaded CI machine is slow).
    const linkRows = async () => {
      await drainUsageOnce();
      return (await getDb()).select().from(usageRecords).where(eq(usageRecords.linkId, id));
    };
    await expect.poll(async () => (await linkRows()).map((row) => row.status).sort(), { timeout: 10_000 }).toEqual([200, 504]);
    const rows = await linkRows();
    const success = rows.find((row) => row.status === 200)!;
    expect(success.requestBytes).toBeGreaterThan(0);
    expect(success.responseBytes).toBeGreaterThan(0);
    expect(success.inputTokens).toBeGreaterThan(0);
  });
});
