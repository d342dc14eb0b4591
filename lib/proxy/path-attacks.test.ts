import { describe, expect, it } from 'vitest';
import { allowedPathsSchema, compileAllowedPaths, pinSegment } from './allowed-paths';
import { canonicalizePath } from './canonical-path';
import { upstreamUrl, UpstreamUrlError } from './path';

/**
 * Attack corpus for Conduit Link's security core: each row is one way people have tried to get
 * a proxy to forward something it was not configured to, with the exact refusal expected. This file:
 * path handling: canonicalization, allowed_paths matching and upstream URL building.
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
