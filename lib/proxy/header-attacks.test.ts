import { describe, expect, it } from 'vitest';
import { forwardRequestHeaders, forwardResponseHeaders } from './headers';
import { extraHeadersSchema, injectionSchema, injectSecret, InjectionError } from './inject';

/**
 * Attack corpus for Conduit Link's security core: each row is one way people have tried to get
 * a proxy to forward something it was not configured to, with the exact refusal expected. This file:
 * request and response headers, and credential injection (header and query).
 */

describe('request headers: nothing of ours, and no smuggling', () => {
  it('strips our credentials, cookies, hop-by-hop, client identity, overrides and framing', () => {
    const incoming = new Headers({
      'x-access-token': 'clt_token',
      authorization: 'Bearer end-user-jwt',
      cookie: 'session=dashboard',
      host: 'proxy.conduit.link',
      connection: 'keep-alive, x-custom-hop',
      'x-custom-hop': '1',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      upgrade: 'h2c',
      'proxy-authorization': 'Basic x',
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-host': 'evil.example',
      forwarded: 'for=6.6.6.6',
      'x-real-ip': '6.6.6.6',
      'cf-connecting-ip': '6.6.6.6',
      'x-vercel-oidc-token': 'platform-secret',
      'x-middleware-subrequest': 'middleware',
      'x-http-method-override': 'DELETE',
      'x-original-url': '/admin',
      'content-length': '999',
      'accept-encoding': 'zstd',
      origin: 'https://app.example',
      referer: 'https://app.example/account?token=abc',
      'sec-fetch-site': 'cross-site',
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'OpenAI/JS 4.0',
      'anthropic-version': '2023-06-01',
      'openai-beta': 'assistants=v2',
      'stripe-version': '2023-10-16',
      'idempotency-key': 'k1',
    });
    expect(Object.fromEntries(forwardRequestHeaders(incoming))).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'OpenAI/JS 4.0',
      'anthropic-version': '2023-06-01',
      'openai-beta': 'assistants=v2',
      'stripe-version': '2023-10-16',
      'idempotency-key': 'k1',
    });
  });

  it('drops any header the client names in Connection', () => {
    const incoming = new Headers({ connection: 'x-access-token, Anthropic-Beta', 'x-access-token': 't', 'anthropic-beta': 'x', accept: '*/*' });
    expect(Object.fromEntries(forwardRequestHeaders(incoming, { stripAuthorization: true }))).toEqual({ accept: '*/*' });
  });

  it('sends exactly one Authorization, ours, however many the client sent', () => {
    const incoming = new Headers([
      ['authorization', 'Bearer attacker-1'],
      ['authorization', 'Bearer attacker-2'],
    ]);
    const headers = forwardRequestHeaders(incoming);
    injectSecret(headers, new URL('https://api.openai.com/v1/models'), 'sk-real', { type: 'bearer' });
    expect(headers.get('authorization')).toBe('Bearer sk-real');
  });

  it.each([
    ['CRLF in a value', { 'x-team': 'a\r\nX-Evil: 1' }],
    ['LF in a value', { 'x-team': 'a\nb' }],
    ['NUL in a value', { 'x-team': 'a\u0000b' }],
    ['Authorization', { Authorization: 'Bearer other' }],
    ['X-Access-Token', { 'X-Access-Token': 'x' }],
    ['Cookie', { cookie: 'a=b' }],
    ['Host', { Host: 'internal.example' }],
    ['Connection', { connection: 'close' }],
    ['Transfer-Encoding', { 'transfer-encoding': 'chunked' }],
    ['Content-Length', { 'content-length': '0' }],
    ['X-Forwarded-For', { 'x-forwarded-for': '127.0.0.1' }],
    ['X-HTTP-Method-Override', { 'x-http-method-override': 'DELETE' }],
    ['a name that is not a token', { 'bad header': 'x' }],
    ['one name twice in different case', { 'X-Team': 'a', 'x-team': 'b' }],
  ])('extraHeadersSchema refuses %s', (_, headers) => {
    expect(extraHeadersSchema.safeParse(headers).success).toBe(false);
  });

  it('re-validates settings at injection time, so corrupt data cannot smuggle a header', () => {
    const inject = (extra: Record<string, string>, secret = 'sk') => () =>
      injectSecret(new Headers(), new URL('https://api.example.com/'), secret, { type: 'bearer' }, extra);
    expect(inject({ 'x-team': 'a\r\nX-Evil: 1' })).toThrow(InjectionError);
    expect(inject({}, 'sk\r\nX-Evil: 1')).toThrow(InjectionError);
    expect(inject({}, '')).toThrow(InjectionError);
  });

  it('an extra header can never replace the injected credential', () => {
    const headers = new Headers({ 'x-api-key': 'client-supplied' });
    injectSecret(headers, new URL('https://api.anthropic.com/v1/messages'), 'sk-ant-real', { type: 'header', name: 'x-api-key' }, { 'x-api-key': 'from-settings', 'anthropic-version': '2023-06-01' });
    expect(headers.get('x-api-key')).toBe('sk-ant-real');
    expect(headers.get('anthropic-version')).toBe('2023-06-01');
  });

  it('injectionSchema refuses names that would control the connection or the query syntax', () => {
    expect(injectionSchema.safeParse({ type: 'header', name: 'Host' }).success).toBe(false);
    expect(injectionSchema.safeParse({ type: 'header', name: 'transfer-encoding' }).success).toBe(false);
    expect(injectionSchema.safeParse({ type: 'header', name: 'x-forwarded-for' }).success).toBe(false);
    expect(injectionSchema.safeParse({ type: 'query', name: 'key[]' }).success).toBe(false);
    expect(injectionSchema.safeParse({ type: 'query', name: 'key&admin=1' }).success).toBe(false);
    expect(injectionSchema.safeParse({ type: 'basic', username: 'AC1:extra' }).success).toBe(false);
    expect(injectionSchema.parse({ type: 'header', name: 'Authorization' })).toEqual({ type: 'header', name: 'authorization' });
  });
});

describe('query credential: the upstream sees one key, ours', () => {
  const inject = (query: string) => {
    const url = new URL(`https://maps.googleapis.com/maps/api/geocode/json?${query}`);
    injectSecret(new Headers(), url, 'AIza-real', { type: 'query', name: 'key' });
    return url.search;
  };

  it.each([
    ['repeated key', 'key=attacker&key=x&address=Paris', '?address=Paris&key=AIza-real'],
    ['upper-case KEY', 'KEY=attacker&address=Paris', '?address=Paris&key=AIza-real'],
    ['PHP array key[]', 'key[]=attacker&address=Paris', '?address=Paris&key=AIza-real'],
    ['PHP indexed key[0]', 'key%5B0%5D=attacker&address=Paris', '?address=Paris&key=AIza-real'],
    ['percent-encoded name', '%6Bey=attacker&address=Paris', '?address=Paris&key=AIza-real'],
    ['empty key', 'key=&address=Paris', '?address=Paris&key=AIza-real'],
    ['no query at all', '', '?key=AIza-real'],
  ])('%s', (_, query, expected) => {
    expect(inject(query)).toBe(expected);
  });

  it('treats PHP-mangled names as the same parameter (api.key and "api key" are api_key)', () => {
    const url = new URL('https://api.example.com/x?api.key=a&api%20key=b&keep=1');
    injectSecret(new Headers(), url, 's3cret', { type: 'query', name: 'api_key' });
    expect(url.search).toBe('?keep=1&api_key=s3cret');
  });
});

describe('response headers: nothing that sets policy for our origin', () => {
  it('drops cookies, origin-wide policy, CORS, internal redirects and framing (an encoded body is relayed with its encoding)', () => {
    const upstream = new Headers([
      ['set-cookie', 'session=upstream; Domain=conduit.link'],
      ['strict-transport-security', 'max-age=63072000; includeSubDomains; preload'],
      ['alt-svc', 'h3=":443"'],
      ['access-control-allow-origin', '*'],
      ['access-control-allow-credentials', 'true'],
      ['content-encoding', 'br'],
      ['content-length', '123'],
      ['transfer-encoding', 'chunked'],
      ['connection', 'keep-alive, x-hop'],
      ['x-hop', '1'],
      ['www-authenticate', 'Basic realm="Log in to Conduit"'],
      ['report-to', '{"endpoints":[{"url":"https://a.nel.cloudflare.com/report"}]}'],
      ['nel', '{"report_to":"cf-nel"}'],
      ['clear-site-data', '"*"'],
      ['content-security-policy', "script-src 'unsafe-inline'"],
      ['x-accel-redirect', '/internal/secrets'],
      ['x-sendfile', '/etc/passwd'],
      ['x-middleware-rewrite', 'http://169.254.169.254/'],
      ['refresh', '0; url=https://evil.example'],
      ['content-type', 'application/json'],
      ['x-request-id', 'req_1'],
      ['openai-processing-ms', '42'],
      ['x-ratelimit-remaining-requests', '99'],
      ['retry-after', '1'],
      ['link', '<https://api.example.com/x?page=2>; rel="next"'],
    ]);
    expect(Object.fromEntries(forwardResponseHeaders(upstream))).toEqual({
      'content-encoding': 'br',
      'content-type': 'application/json',
      'x-request-id': 'req_1',
      'openai-processing-ms': '42',
      'x-ratelimit-remaining-requests': '99',
      'retry-after': '1',
      link: '<https://api.example.com/x?page=2>; rel="next"',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
    });
  });
});
