import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_SECRET, startLinks, userJwt } from './testing';

/**
 * Conduit Link's attack corpus end to end (lib/proxy/testing.ts): paths, tokens, methods,
 * JWTs, origins and bodies that must be refused with the upstream receiving nothing.
 */
const links = await startLinks();
const { generic, link, port, rawStatus, server } = links;
afterAll(() => links.close());

describe(`Conduit Link on ${links.label}: attacks are refused and the upstream receives nothing`, () => {
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
