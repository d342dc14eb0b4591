import { describe, expect, it, vi } from 'vitest';
import { allowedPathsSchema, compileAllowedPaths, pinSegment } from './allowed-paths';
import { canonicalizePath } from './canonical-path';
import { forwardRequestHeaders, forwardResponseHeaders } from './headers';
import { extraHeadersSchema, injectionSchema, injectSecret, InjectionError } from './inject';
import { upstreamUrl, UpstreamUrlError } from './path';
import { checkJwksUrl, checkUpstreamBase, resolveAndCheck, type ResolvedAddress } from './ssrf';

/**
 * Attack corpus for Conduit Link's security core: each row is one way people have tried to get
 * a proxy to forward something it was not configured to, with the exact refusal expected.
 */

describe('path canonicalization refuses ambiguous paths', () => {
  const DOT = 'dot segment in path';
  const DOUBLE = 'double encoding (%25) in path';
  const SLASH = 'encoded slash (%2F) in path';
  const BACKSLASH = 'backslash in path';
  const ENC_BACKSLASH = 'encoded backslash (%5C) in path';
  const ENC_CONTROL = 'encoded control character in path';
  const INVALID = 'invalid percent-encoding in path';
  const NFKC = 'Unicode that normalises to other characters in path';
  const INVISIBLE = 'invisible or unassigned Unicode character in path';

  it.each([
    ['raw ..', '/v1/../admin', DOT],
    ['raw .', '/v1/./models', DOT],
    ['%2e%2e', '/v1/%2e%2e/admin', DOT],
    ['%2E%2E', '/v1/%2E%2E/admin', DOT],
    ['.%2e', '/v1/.%2e/admin', DOT],
    ['%2e.', '/v1/%2e./admin', DOT],
    ['%2e alone', '/v1/%2e/models', DOT],
    ['.. with a trailing space (Windows trims it)', '/v1/..%20/admin', DOT],
    ['three dots', '/v1/.../admin', DOT],
    ['blank segment', '/v1/%20/admin', 'blank segment in path'],
    ['double-encoded dots %252e', '/v1/%252e%252e/admin', DOUBLE],
    ['double-encoded slash %252f', '/v1/a%252fb', DOUBLE],
    ['lone %25', '/v1/100%25', DOUBLE],
    ['%2f', '/v1/models%2fadmin', SLASH],
    ['%2F', '/v1/models%2Fadmin', SLASH],
    ['..%2f traversal', '/v1/..%2fadmin', SLASH],
    ['%2e%2e%2f traversal', '/v1/%2e%2e%2fadmin', SLASH],
    ['%5c', '/v1/models%5cadmin', ENC_BACKSLASH],
    ['%5C', '/v1/models%5Cadmin', ENC_BACKSLASH],
    ['raw backslash', '/v1\\admin', BACKSLASH],
    ['..\\ traversal', '/v1/..\\admin', BACKSLASH],
    ['empty segment', '/v1//admin', 'empty segment (//) in path'],
    ['leading //', '//evil.example/v1', 'empty segment (//) in path'],
    ['trailing slash', '/v1/models/', 'trailing slash in path'],
    ['matrix parameter', '/v1/admin;jsessionid=x', 'semicolon (matrix parameter) in path'],
    ['encoded ;', '/v1/admin%3bx', 'encoded semicolon (%3B) in path'],
    ['encoded ; uppercase', '/v1/admin%3Bx', 'encoded semicolon (%3B) in path'],
    ['null byte', '/v1/models%00.json', ENC_CONTROL],
    ['CRLF header injection', '/v1/a%0d%0aHost:%20evil', ENC_CONTROL],
    ['encoded DEL', '/v1/a%7f', ENC_CONTROL],
    ['raw NUL', '/v1/models\u0000', 'control character in path'],
    ['raw tab', '/v1/a\tb', 'control character in path'],
    ['%zz', '/v1/%zz', INVALID],
    ['%4 (one digit)', '/v1/%4', INVALID],
    ['trailing %', '/v1/%', INVALID],
    ['raw non-ASCII', '/v1/modèles', 'non-ASCII character in path (percent-encode it)'],
    ['invalid UTF-8 %ff', '/v1/%ff', 'percent-encoding is not valid UTF-8'],
    ['overlong UTF-8 dots %c0%ae', '/v1/%c0%ae%c0%ae/admin', 'percent-encoding is not valid UTF-8'],
    ['fullwidth dots %ef%bc%8e', '/v1/%ef%bc%8e%ef%bc%8e/admin', NFKC],
    ['fullwidth solidus', '/v1/a%ef%bc%8fb', NFKC],
    ['decomposed accent', '/v1/cafe%CC%81', NFKC],
    ['zero-width space', '/v1/ad%e2%80%8bmin', INVISIBLE],
    ['C1 control NEL', '/v1/a%c2%85', INVISIBLE],
    ['bidi override', '/v1/%e2%80%aeevil', INVISIBLE],
    ['no leading slash', 'v1/models', 'path must start with /'],
    ['empty path', '', 'path must start with /'],
    ['query smuggled into the path', '/v1/models?x=1', 'character "?" not allowed in path'],
    ['fragment', '/v1/models#x', 'character "#" not allowed in path'],
    ['pipe', '/v1/a|b', 'character "|" not allowed in path'],
    ['raw space', '/v1/a b', 'character " " not allowed in path'],
    ['overlong path', `/${'a'.repeat(2048)}`, 'path longer than 2048 characters'],
  ])('%s', (_, raw, reason) => {
    expect(canonicalizePath(raw)).toEqual({ ok: false, reason });
  });

  it('decodes to one spelling per path, so the upstream sees exactly what was matched', () => {
    expect(canonicalizePath('/v1/%63hat/completions')).toEqual({ ok: true, path: '/v1/chat/completions', segments: ['v1', 'chat', 'completions'] });
    expect(canonicalizePath('/v1/%7Euser')).toMatchObject({ path: '/v1/~user' });
    // `+` is a literal plus in a path; always sent as %2B so no server reads it as a space.
    expect(canonicalizePath('/v1/a+b')).toMatchObject({ path: '/v1/a%2Bb', segments: ['v1', 'a+b'] });
    expect(canonicalizePath('/v1/a%2bb')).toMatchObject({ path: '/v1/a%2Bb' });
    // A decoded `?` stays encoded: it can never start a query upstream.
    expect(canonicalizePath('/v1/a%3fb')).toMatchObject({ path: '/v1/a%3Fb', segments: ['v1', 'a?b'] });
    expect(canonicalizePath('/v1beta/models/gemini-pro:generateContent')).toMatchObject({ path: '/v1beta/models/gemini-pro:generateContent' });
    expect(canonicalizePath('/v1/caf%c3%a9')).toMatchObject({ path: '/v1/caf%C3%A9', segments: ['v1', 'café'] });
    expect(canonicalizePath('/')).toEqual({ ok: true, path: '/', segments: [] });
  });
});

describe('allowed_paths matching', () => {
  const allowed = compileAllowedPaths([
    { path: '/v1/chat/completions' },
    { path: '/v1/models', methods: ['GET'] },
    { path: '/Accounts/*/Messages.json', methods: ['GET', 'POST'] },
    { path: '/v1/files/**' },
  ]);

  it.each([
    ['case differs from the pattern', 'POST', '/v1/Chat/Completions'],
    ['* does not span two segments', 'POST', '/Accounts/AC1/x/Messages.json'],
    ['** does not match zero segments', 'GET', '/v1/files'],
    ['method not listed', 'DELETE', '/v1/models'],
    ['HEAD is not implied by GET', 'HEAD', '/v1/models'],
    ['lower-case method (fetch keeps `patch` as sent)', 'get', '/v1/models'],
    ['non-canonical spelling of an allowed path', 'POST', '/v1/%63hat/completions'],
    ['traversal handed straight to the matcher', 'POST', '/v1/files/../chat/completions'],
    ['trailing slash', 'POST', '/v1/chat/completions/'],
    ['prefix of an allowed path', 'POST', '/v1/chat'],
    ['allowed path plus a segment', 'POST', '/v1/chat/completions/x'],
    ['fullwidth dots under a wildcard', 'GET', '/v1/files/%EF%BC%8E%EF%BC%8E'],
  ])('refuses: %s', (_, method, path) => {
    expect(allowed(method, path)).toBe(false);
  });

  it('accepts what the patterns say', () => {
    expect(allowed('POST', '/v1/chat/completions')).toBe(true);
    expect(allowed('PATCH', '/v1/chat/completions')).toBe(true);
    expect(allowed('GET', '/v1/models')).toBe(true);
    expect(allowed('POST', '/Accounts/AC123/Messages.json')).toBe(true);
    expect(allowed('GET', '/v1/files/file-1')).toBe(true);
    expect(allowed('GET', '/v1/files/file-1/content')).toBe(true);
  });

  it('fails closed on an empty list and on corrupt entries', () => {
    expect(compileAllowedPaths([])('GET', '/')).toBe(false);
    expect(compileAllowedPaths([{ path: '/v1/../admin' }, { path: '/**', methods: [] }])('GET', '/v1/admin')).toBe(false);
    const all = compileAllowedPaths([{ path: '/' }, { path: '/**' }]);
    expect(all('GET', '/')).toBe(true);
    expect(all('GET', '/any/thing')).toBe(true);
  });

  it.each([
    ['relative', 'v1/models'],
    ['traversal', '/v1/../admin'],
    ['empty segment', '/v1//models'],
    ['percent-encoding', '/v1/%2e'],
    ['matrix parameter', '/v1/models;x'],
    ['backslash', '/v1\\models'],
    ['** not last', '/v1/**/content'],
    ['* inside a segment', '/v1/file-*'],
    ['trailing slash', '/v1/models/'],
    ['space', '/v1/a b'],
    ['too long', `/${'a'.repeat(500)}`],
  ])('allowedPathsSchema refuses a pattern with %s', (_, path) => {
    expect(allowedPathsSchema.safeParse([path]).success).toBe(false);
  });

  it('allowedPathsSchema refuses bad methods and too many entries, and normalises the rest', () => {
    expect(allowedPathsSchema.safeParse([{ path: '/v1/x', methods: ['OPTIONS'] }]).success).toBe(false);
    expect(allowedPathsSchema.safeParse([{ path: '/v1/x', methods: ['get'] }]).success).toBe(false);
    expect(allowedPathsSchema.safeParse([{ path: '/v1/x', methods: [] }]).success).toBe(false);
    expect(allowedPathsSchema.safeParse([{ path: '/v1/x', extra: true }]).success).toBe(false);
    expect(allowedPathsSchema.safeParse(Array.from({ length: 101 }, (_, i) => `/p${i}`)).success).toBe(false);
    expect(allowedPathsSchema.parse(['/v1/models', { path: '/v1/files/**', methods: ['GET', 'GET'] }])).toEqual([
      { path: '/v1/models' },
      { path: '/v1/files/**', methods: ['GET'] },
    ]);
  });

  it('pinSegment pins a wildcard to one literal value, and nothing else', () => {
    expect(pinSegment('/Accounts/*/Messages.json', 1, 'AC123')).toEqual({ ok: true, path: '/Accounts/AC123/Messages.json' });
    expect(pinSegment('/Accounts/*/Messages.json', 0, 'AC123')).toMatchObject({ ok: false });
    expect(pinSegment('/Accounts/*/Messages.json', 1, 'AC1/Calls')).toMatchObject({ ok: false });
    expect(pinSegment('/Accounts/*/Messages.json', 1, '..')).toMatchObject({ ok: false });
    expect(pinSegment('/Accounts/*/Messages.json', 1, '*')).toMatchObject({ ok: false });
  });
});

describe('upstreamUrl never leaves the base', () => {
  const none = new URLSearchParams();

  it.each([
    ['a traversal', '/../admin'],
    ['an encoded traversal', '/%2e%2e/admin'],
    ['a protocol-relative path', '//evil.example/x'],
    ['an absolute URL', 'https://evil.example/x'],
    ['an encoded slash', '/x%2F..%2Fadmin'],
  ])('throws for %s', (_, path) => {
    expect(() => upstreamUrl('https://api.twilio.com/2010-04-01', path, none)).toThrow(UpstreamUrlError);
  });

  it('refuses a base with credentials, a query or a fragment', () => {
    expect(() => upstreamUrl('https://u:p@api.example.com', '/x', none)).toThrow(UpstreamUrlError);
    expect(() => upstreamUrl('https://api.example.com/?a=1', '/x', none)).toThrow(UpstreamUrlError);
    expect(() => upstreamUrl('https://api.example.com/#', '/x', none)).toThrow(UpstreamUrlError);
  });

  it('keeps an @ or : in the path on the upstream origin', () => {
    expect(upstreamUrl('https://api.openai.com', '/@evil.example', none).href).toBe('https://api.openai.com/@evil.example');
    expect(upstreamUrl('https://api.openai.com', '/:443@evil.example', none).origin).toBe('https://api.openai.com');
  });

  it('keeps the base path and the query', () => {
    const url = upstreamUrl('https://api.sendgrid.com/v3/', '/mail/send', new URLSearchParams('a=1&a=2'));
    expect(url.href).toBe('https://api.sendgrid.com/v3/mail/send?a=1&a=2');
  });
});

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
  it('drops cookies, origin-wide policy, CORS, internal redirects and decoded framing', () => {
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

describe('SSRF: upstream and JWKS URLs', () => {
  const strict = { allowPrivate: false };
  const refused = (reason: string) => ({ ok: false, reason });

  it.each([
    ['loopback', 'https://127.0.0.1', 'address 127.0.0.1 is not public (loopback)'],
    ['decimal', 'https://2130706433', 'address 127.0.0.1 is not public (loopback)'],
    ['hex dotted', 'https://0x7f.0.0.1', 'address 127.0.0.1 is not public (loopback)'],
    ['hex single number', 'https://0x7f000001', 'address 127.0.0.1 is not public (loopback)'],
    ['octal dotted', 'https://0177.0.0.1', 'address 127.0.0.1 is not public (loopback)'],
    ['octal single number', 'https://017700000001', 'address 127.0.0.1 is not public (loopback)'],
    ['short form', 'https://127.1', 'address 127.0.0.1 is not public (loopback)'],
    ['trailing dot', 'https://127.0.0.1.', 'address 127.0.0.1 is not public (loopback)'],
    ['zero', 'https://0', 'address 0.0.0.0 is not public (unspecified)'],
    ['10/8', 'https://10.0.0.1', 'address 10.0.0.1 is not public (private)'],
    ['172.16/12', 'https://172.31.255.255', 'address 172.31.255.255 is not public (private)'],
    ['192.168/16', 'https://192.168.1.1', 'address 192.168.1.1 is not public (private)'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data', 'address 169.254.169.254 is not public (link-local)'],
    ['CGNAT', 'https://100.64.0.1', 'address 100.64.0.1 is not public (carrier-grade NAT)'],
    ['multicast', 'https://224.0.0.1', 'address 224.0.0.1 is not public (multicast)'],
    ['broadcast', 'https://255.255.255.255', 'address 255.255.255.255 is not public (broadcast)'],
    ['documentation range', 'https://192.0.2.1', 'address 192.0.2.1 is not public (reserved)'],
    ['IPv6 loopback', 'https://[::1]', 'address [::1] is not public (loopback)'],
    ['IPv6 unspecified', 'https://[::]', 'address [::] is not public (unspecified)'],
    ['IPv6 unique local', 'https://[fd12:3456::1]', 'address [fd12:3456::1] is not public (unique local)'],
    ['IPv6 link-local', 'https://[fe80::1]', 'address [fe80::1] is not public (link-local)'],
    ['IPv6 multicast', 'https://[ff02::1]', 'address [ff02::1] is not public (multicast)'],
    ['IPv4-mapped dotted', 'https://[::ffff:127.0.0.1]', 'address [::ffff:7f00:1] is not public (IPv4-mapped loopback 127.0.0.1)'],
    ['IPv4-mapped hex', 'https://[::ffff:7f00:1]', 'address [::ffff:7f00:1] is not public (IPv4-mapped loopback 127.0.0.1)'],
    ['IPv4-mapped metadata', 'https://[::ffff:169.254.169.254]', 'address [::ffff:a9fe:a9fe] is not public (IPv4-mapped link-local 169.254.169.254)'],
    ['IPv4-compatible', 'https://[::127.0.0.1]', 'address [::7f00:1] is not public (IPv4-compatible 127.0.0.1)'],
    ['NAT64 of loopback', 'https://[64:ff9b::127.0.0.1]', 'address [64:ff9b::7f00:1] is not public (NAT64 loopback 127.0.0.1)'],
    ['NAT64 of private', 'https://[64:ff9b::10.0.0.1]', 'address [64:ff9b::a00:1] is not public (NAT64 private 10.0.0.1)'],
    ['local-use NAT64', 'https://[64:ff9b:1::a00:1]', 'address [64:ff9b:1::a00:1] is not public (local-use NAT64)'],
    ['6to4 of loopback', 'https://[2002:7f00:1::]', 'address [2002:7f00:1::] is not public (6to4 loopback 127.0.0.1)'],
    ['6to4 of metadata', 'https://[2002:a9fe:a9fe::1]', 'address [2002:a9fe:a9fe::1] is not public (6to4 link-local 169.254.169.254)'],
    ['Teredo', 'https://[2001:0:4136:e378::1]', 'address [2001:0:4136:e378::1] is not public (teredo)'],
    ['IPv6 documentation', 'https://[2001:db8::1]', 'address [2001:db8::1] is not public (reserved)'],
    ['localhost', 'https://localhost', 'host localhost is an internal name'],
    ['LOCALHOST. (case, trailing dot)', 'https://LOCALHOST.', 'host localhost. is an internal name'],
    ['*.localhost', 'https://api.localhost', 'host api.localhost is an internal name'],
    ['GCP metadata', 'https://metadata.google.internal', 'host metadata.google.internal is an internal name'],
    ['mDNS', 'https://printer.local', 'host printer.local is an internal name'],
    ['localhost.localdomain', 'https://localhost.localdomain', 'host localhost.localdomain is an internal name'],
    ['Kubernetes service', 'https://kubernetes.default.svc', 'host kubernetes.default.svc is an internal name'],
    ['single label', 'https://redis:6379', 'host redis is not a fully qualified domain name'],
    ['userinfo hiding the real host', 'https://api.openai.com@127.0.0.1', 'URL must contain neither a username nor a password'],
    ['credentials', 'https://user:pass@api.openai.com', 'URL must contain neither a username nor a password'],
    ['plain http', 'http://api.openai.com', 'URL must use https'],
    ['file', 'file:///etc/passwd', 'URL must use https'],
    ['javascript', 'javascript:alert(1)', 'URL must use https'],
    ['fragment', 'https://api.openai.com/v1#x', 'URL must not contain a fragment'],
    ['empty fragment', 'https://api.openai.com/#', 'URL must not contain a fragment'],
    ['query', 'https://api.openai.com/v1?x=1', 'URL must not contain a query string'],
    ['encoded slash in the base path', 'https://api.example.com/v1%2Fadmin', 'URL path is not canonical: encoded slash (%2F) in path'],
    ['not a URL', 'api.openai.com', 'not a valid URL'],
  ])('checkUpstreamBase refuses %s', (_, url, reason) => {
    expect(checkUpstreamBase(url, strict)).toEqual(refused(reason));
  });

  it('accepts public hosts, including NAT64 and IPv6 forms of public addresses', () => {
    for (const url of ['https://api.openai.com', 'https://api.twilio.com/2010-04-01', 'https://8.8.8.8', 'https://[2606:4700::6810:1]', 'https://[64:ff9b::8.8.8.8]', 'https://api.example.com:8443/v1']) {
      expect(checkUpstreamBase(url, strict)).toMatchObject({ ok: true });
    }
  });

  it('allowPrivate (self-hosting, tests) allows private hosts and http, but still no credentials', () => {
    const open = { allowPrivate: true };
    expect(checkUpstreamBase('http://127.0.0.1:8080/v1', open)).toMatchObject({ ok: true });
    expect(checkUpstreamBase('http://localhost:3000', open)).toMatchObject({ ok: true });
    expect(checkUpstreamBase('http://a@127.0.0.1', open)).toEqual(refused('URL must contain neither a username nor a password'));
    expect(checkUpstreamBase('ftp://127.0.0.1', open)).toEqual(refused('URL must use https or http'));
  });

  it('JWKS URLs follow the same rules but may carry a query', () => {
    expect(checkJwksUrl('https://tenant.b2clogin.com/tenant.onmicrosoft.com/discovery/v2.0/keys?p=b2c_1_signin', strict)).toMatchObject({ ok: true });
    expect(checkJwksUrl('https://169.254.169.254/jwks', strict)).toEqual(refused('address 169.254.169.254 is not public (link-local)'));
  });
});

describe('SSRF at request time: resolve, then refuse if ANY address is private', () => {
  const answer = (...addresses: string[]) => vi.fn(async (): Promise<ResolvedAddress[]> => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  const strict = (resolver: (hostname: string) => Promise<ResolvedAddress[]>) => ({ allowPrivate: false, resolver });

  it.each([
    ['a wildcard-DNS name for loopback', '127.0.0.1.nip.io', ['127.0.0.1'], 'host 127.0.0.1.nip.io resolves to 127.0.0.1, which is not public (loopback)'],
    ['rebinding: one private address among public ones', 'api.rebind.example', ['93.184.216.34', '10.0.0.5'], 'host api.rebind.example resolves to 10.0.0.5, which is not public (private)'],
    ['an IPv6 answer mapping the metadata service', 'meta.example', ['2606:4700::1', '::ffff:169.254.169.254'], 'host meta.example resolves to ::ffff:169.254.169.254, which is not public (IPv4-mapped link-local 169.254.169.254)'],
    ['an AAAA for ::1', 'v6.example', ['::1'], 'host v6.example resolves to ::1, which is not public (loopback)'],
  ])('refuses %s', async (_, hostname, addresses, reason) => {
    expect(await resolveAndCheck(hostname, strict(answer(...addresses)))).toEqual({ ok: false, reason });
  });

  it('returns the addresses when all are public', async () => {
    expect(await resolveAndCheck('api.openai.com', strict(answer('104.18.6.192', '2606:4700::6812:6c0')))).toEqual({
      ok: true,
      addresses: [
        { address: '104.18.6.192', family: 4 },
        { address: '2606:4700::6812:6c0', family: 6 },
      ],
    });
  });

  it('refuses internal names and private literals without resolving them', async () => {
    const resolver = answer('8.8.8.8');
    expect(await resolveAndCheck('metadata.google.internal', strict(resolver))).toEqual({ ok: false, reason: 'host metadata.google.internal is an internal name' });
    expect(await resolveAndCheck('[::1]', strict(resolver))).toEqual({ ok: false, reason: 'address [::1] is not public (loopback)' });
    expect(await resolveAndCheck('8.8.8.8', strict(resolver))).toEqual({ ok: true, addresses: [{ address: '8.8.8.8', family: 4 }] });
    expect(resolver).not.toHaveBeenCalled();
  });

  it('fails closed when resolution fails, is empty, or hangs', async () => {
    const failing = vi.fn(async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })));
    expect(await resolveAndCheck('nx.example', strict(failing))).toEqual({ ok: false, reason: 'host nx.example could not be resolved' });
    expect(await resolveAndCheck('empty.example', strict(answer()))).toEqual({ ok: false, reason: 'host empty.example has no addresses' });
    const hanging = () => new Promise<ResolvedAddress[]>(() => {});
    expect(await resolveAndCheck('slow.example', { ...strict(hanging), timeoutMs: 10 })).toEqual({ ok: false, reason: 'host slow.example could not be resolved' });
  });

  it('allowPrivate returns private addresses as they are', async () => {
    expect(await resolveAndCheck('db.example', { allowPrivate: true, resolver: answer('10.0.0.5') })).toMatchObject({ ok: true });
  });
});
