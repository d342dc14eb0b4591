import Anthropic from '@anthropic-ai/sdk';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SignJWT } from 'jose';
import OpenAI from 'openai';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awayFromMinuteEdge } from '@/lib/testing/clock';
import { startMockAnthropic } from '@/lib/testing/mock-anthropic';
import { startMockOpenAI } from '@/lib/testing/mock-openai';
import { useTestServices } from '@/lib/testing/services';
import { startRecordingUpstream } from './recording-upstream';

/**
 * Conduit Link end to end: the official SDKs and plain fetch → the proxy (served by the same
 * node adapter as production) → local mock upstreams that show exactly what arrived.
 */
const services = await useTestServices();
Object.assign(process.env, { PROXY_ALLOW_PRIVATE_UPSTREAMS: 'true', PROXY_DOMAIN: 'proxy.test', PROXY_MAX_BODY_BYTES: '4096', UPSTREAM_TIMEOUT_MS: '1500' });
const openaiMock = await startMockOpenAI({ chunkDelayMs: 1 });
const anthropicMock = await startMockAnthropic({ chunkDelayMs: 1 });
const generic = await startRecordingUpstream((arrival) =>
  arrival.path.endsWith('/customers') ? { id: 'cus_123', object: 'customer', email: new URLSearchParams(arrival.body).get('email') } : { ok: true, path: arrival.path },
);
const { serve } = await import('@/lib/server/node-adapter');
const { handleProxy } = await import('./handler');
const { signUp } = await import('@/lib/auth/users');
const { createLink } = await import('@/lib/links/service');
const { linkSchemas } = await import('@/lib/links/schema');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
const server = await serve(handleProxy);
const port = new URL(server.url).port;
afterAll(async () => {
  await Promise.all([server.close(), openaiMock.close(), anthropicMock.close(), generic.close()]);
  await services.cleanup();
});

let actor: { userId: string };
beforeAll(async () => {
  const signed = await signUp({ email: `links-${Date.now()}@example.com`, password: 'proxy tests 1' });
  if (!signed.ok) throw new Error('sign-up failed');
  actor = { userId: signed.user.id };
});

async function link(input: Record<string, unknown>) {
  const created = await createLink(actor, linkSchemas({ allowPrivate: true }).create.parse({ name: 'test', ...input }));
  return { id: created.link.id, token: created.token.secret };
}

/** A request with exactly this path on the wire (node:http does not normalise it). */
function rawStatus(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

const JWT_SECRET = 'a-shared-secret-of-at-least-32-characters!';
const userJwt = (claims: Record<string, unknown>, secret = JWT_SECRET, expiresIn: string | number = '5m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));

describe(`Conduit Link on ${services.label}`, () => {
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

  describe('attacks are refused and the upstream receives nothing', () => {
    let target: { id: string; token: string };
    let jwtLink: { id: string; token: string };
    beforeAll(async () => {
      target = await link({
        upstream_base_url: generic.url,
        secret: 'sk-attack-target',
        injection: { type: 'bearer' },
        allowed_paths: [{ path: '/v1/chat/completions', methods: ['POST'] }, '/v1/models', '/files/*/content'],
        allowed_origins: ['https://app.example.com'],
      });
      jwtLink = await link({
        upstream_base_url: generic.url,
        secret: 'sk-jwt-target',
        injection: { type: 'bearer' },
        allowed_paths: ['/v1/models'],
        jwt: { algorithm: 'HS256', secret: JWT_SECRET },
      });
    });

    const paths = [
      '/v1/models/../../admin', '/v1/%2e%2e/admin', '/v1/%2E%2E/admin', '/v1/.%2e/admin', '/v1/%252e%252e/admin', '/v1/./models',
      '/v1%2fmodels', '/v1%2Fmodels', '/v1%5cmodels', '/v1%252fmodels', '/v1\\models', '/v1//models', '//v1/models',
      '/v1/models;jsessionid=1', '/v1/models%3b', '/v1/models%00', '/v1/models%0d%0aX-Injected:%201', '/v1/mo%zzdels',
      '/V1/models', '/v1/MODELS', '/v1/files', '/v1/models/extra', '/files/a/b/content', '/files//content',
      '/v1/%ef%bc%8e%ef%bc%8e/admin', '/v1/models/', '/v1/chat/completions/../../files',
    ];
    // Sent byte for byte: fetch() would normalise `.`, `..`, `%2e` and `\\` before sending.
    it.each(paths)('path %s', async (path) => {
      const before = generic.arrivals.length;
      const status = await rawStatus(`/proxy/${target.id}${path}`, { 'X-Access-Token': target.token });
      expect([400, 403, 404]).toContain(status);
      expect(generic.arrivals.length).toBe(before);
    });

    it.each([
      ['no token', {}],
      ['wrong token', { 'X-Access-Token': 'clt_' + 'x'.repeat(40) }],
      ['token of another link', 'other'],
      ['token as a query parameter only', 'query'],
    ])('access: %s → 401', async (_name, headers) => {
      const before = generic.arrivals.length;
      const other = headers === 'other' ? (await link({ preset: 'openai', upstream_base_url: generic.url, secret: 'x'.repeat(20) })).token : null;
      const init = headers === 'other' ? { 'X-Access-Token': other! } : headers === 'query' ? {} : (headers as Record<string, string>);
      const query = headers === 'query' ? `?access_token=${target.token}` : '';
      const response = await fetch(`${server.url}/proxy/${target.id}/v1/models${query}`, { headers: init });
      expect(response.status).toBe(401);
      expect(generic.arrivals.length).toBe(before);
    });

    it('a method outside the path rule → 403', async () => {
      const before = generic.arrivals.length;
      const response = await fetch(`${server.url}/proxy/${target.id}/v1/chat/completions`, { headers: { 'X-Access-Token': target.token } });
      expect(response.status).toBe(403);
      expect(generic.arrivals.length).toBe(before);
    });

    it.each([
      ['missing JWT', async () => null],
      ['expired beyond the 60 s skew', () => userJwt({ sub: 'u1' }, JWT_SECRET, Math.floor(Date.now() / 1000) - 120)],
      ['wrong secret', () => userJwt({ sub: 'u1' }, 'another-secret-of-at-least-32-characters')],
      ['alg none', async () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`],
      ['no exp', () => new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JWT_SECRET))],
      ['no user id', () => userJwt({ role: 'admin' })],
      ['garbage', async () => 'not.a.jwt'],
    ])('JWT: %s → 401', async (_name, make) => {
      const before = generic.arrivals.length;
      const jwt = await make();
      const headers: Record<string, string> = { 'X-Access-Token': jwtLink.token };
      if (jwt) headers.authorization = `Bearer ${jwt}`;
      const response = await fetch(`${server.url}/proxy/${jwtLink.id}/v1/models`, { headers });
      expect(response.status).toBe(401);
      expect(generic.arrivals.length).toBe(before);
    });

    it('an origin that is not allowed gets 403 and no CORS grant; a preflight from it too', async () => {
      const before = generic.arrivals.length;
      const response = await fetch(`${server.url}/proxy/${target.id}/v1/models`, { headers: { 'X-Access-Token': target.token, origin: 'https://evil.example' } });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${server.url}/proxy/${target.id}/v1/models`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(generic.arrivals.length).toBe(before);
    });

    it.each(['TRACE', 'TRACK', 'PROPFIND', 'MKCOL', 'PURGE'])('%s, a method no rule can name, is never forwarded', async (method) => {
      const before = generic.arrivals.length;
      // /v1/models allows any method, and an upstream echoing a TRACE would hand the secret back.
      const status = await new Promise<number>((resolve) => {
        const request = httpRequest({ host: '127.0.0.1', port, method, path: `/proxy/${target.id}/v1/models`, headers: { 'X-Access-Token': target.token } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', () => resolve(0)); // TRACE is not even made a request: the connection is closed
        request.end();
      });
      // 400: Node's parser knows no TRACK.
      expect([0, 400, 405]).toContain(status);
      if (method === 'PROPFIND') expect(status).toBe(405);
      expect(generic.arrivals.length).toBe(before);
    });

    it('an oversize body → 413, announced or streamed', async () => {
      const before = generic.arrivals.length;
      const chunked = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
          controller.close();
        },
      });
      const response = await fetch(`${server.url}/proxy/${target.id}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'X-Access-Token': target.token, 'content-type': 'application/json' },
        body: chunked,
        // @ts-expect-error -- duplex is missing from the DOM types
        duplex: 'half',
      });
      expect(response.status).toBe(413);
      expect(generic.arrivals.length).toBe(before);
    });

    it('an oversize body → 413', async () => {
      const before = generic.arrivals.length;
      const response = await fetch(`${server.url}/proxy/${target.id}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'X-Access-Token': target.token, 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(5000) }),
      });
      expect(response.status).toBe(413);
      expect(generic.arrivals.length).toBe(before);
    });

    it('the JWT link lets a valid end user through and never forwards the JWT or the token', async () => {
      const response = await fetch(`${server.url}/proxy/${jwtLink.id}/v1/models`, {
        headers: { 'X-Access-Token': jwtLink.token, authorization: `Bearer ${await userJwt({ userId: 'user-7' })}`, cookie: 'session=1' },
      });
      expect(response.status).toBe(200);
      const seen = generic.arrivals.at(-1)!;
      expect(seen.headers.get('authorization')).toBe('Bearer sk-jwt-target');
      expect(seen.headers.get('cookie')).toBeNull();
      expect(seen.headers.get('x-access-token')).toBeNull();
    });
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
