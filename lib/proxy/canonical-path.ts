import 'server-only';

/**
 * The path a Conduit Link forwards, in one canonical form, so that what allowed_paths is
 * checked against is exactly what the upstream receives. Servers disagree about `..`, `%2e`,
 * `%2f`, `\`, `;` and double encoding; any of those could make "the path we approved" and
 * "the path the upstream serves" differ, so they are refused, never interpreted.
 *
 * Canonical form (decisions):
 * - Input is the raw path as sent (lib/server/node-adapter.ts keeps it; `new URL()` would have
 *   resolved `..` and `%2e%2e` already), starting with `/`, without the query.
 * - Each segment is fully percent-decoded (decodeURIComponent) AFTER the refusals below, and
 *   matched decoded. For the upstream it is re-encoded one way: unreserved characters and the
 *   sub-delims `! $ & ' ( ) * , =` plus `:` `@` raw, everything else as uppercase %XX of its
 *   UTF-8 bytes (so `+` is always `%2B`: a few servers read a raw `+` in a path as a space).
 *   Any upstream that decodes once therefore sees exactly the segments we matched.
 * - `/` alone is the root (no segments). Otherwise no segment may be empty: `//` and a
 *   trailing `/` are refused. Servers differ on whether `/v1/models/` is `/v1/models`; the
 *   SDKs we proxy never send one, so refusing costs nothing and removes the question.
 */

export type CanonicalPathResult = { ok: true; path: string; segments: string[] } | { ok: false; reason: string };

export const MAX_PATH_LENGTH = 2048;

// RFC 3986 pchar (unreserved, sub-delims, ':', '@') plus '%' and '/': anything else in a raw
// path (`|`, `^`, `[`, space, quotes...) was not produced by a conforming client.
const RAW_PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const KEEP_RAW = /[A-Za-z0-9\-._~!$&'()*,=:@]/;
const utf8 = new TextEncoder();
const fail = (reason: string): CanonicalPathResult => ({ ok: false, reason });

/** Refusals visible in the raw text, before anything is decoded. */
function rawProblem(raw: string): string | null {
  for (const char of raw) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) return 'control character in path';
    if (code > 0x7f) return 'non-ASCII character in path (percent-encode it)';
    // Windows servers and some frameworks treat `\` as `/`: a second separator we never matched.
    if (char === '\\') return 'backslash in path';
    // Matrix parameters: Tomcat and Spring strip `;...` from segments, so `/admin;x` is `/admin`.
    if (char === ';') return 'semicolon (matrix parameter) in path';
    if (!RAW_PATH_CHARS.test(char)) return `character ${JSON.stringify(char)} not allowed in path`;
  }
  for (let at = raw.indexOf('%'); at !== -1; at = raw.indexOf('%', at + 1)) {
    const hex = raw.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return 'invalid percent-encoding in path';
    const byte = parseInt(hex, 16);
    // %25 is how double encoding starts (%252e, %252f): a second decoder would see `.` or `/`.
    if (byte === 0x25) return 'double encoding (%25) in path';
    // An encoded separator is one segment to us and two to a server that decodes before routing.
    if (byte === 0x2f) return 'encoded slash (%2F) in path';
    if (byte === 0x5c) return 'encoded backslash (%5C) in path';
    if (byte === 0x3b) return 'encoded semicolon (%3B) in path';
    // %00 truncates paths in C-based servers; CR/LF split requests in naive ones.
    if (byte < 0x20 || byte === 0x7f) return 'encoded control character in path';
  }
  return null;
}

/** Refusals of one decoded segment. */
function segmentProblem(segment: string): string | null {
  // Only dots (and spaces, which Windows servers trim): `.`, `..`, `%2e%2e`, `.%2E`, `.. `, `...`.
  if (/^[. ]+$/.test(segment)) return segment.includes('.') ? 'dot segment in path' : 'blank segment in path';
  // C1 controls, zero-width and bidi characters, BOM, private use, unassigned: invisible, and
  // some servers strip them, turning an opaque segment into another one.
  if (/\p{C}/u.test(segment)) return 'invisible or unassigned Unicode character in path';
  // A server that NFKC-normalises would turn fullwidth `．．` (%EF%BC%8E) into `..` and `／` into
  // `/`; a `*` pattern would have let them through as opaque text. Refuse anything NFKC changes.
  if (segment.normalize('NFKC') !== segment) return 'Unicode that normalises to other characters in path';
  return null;
}

/** Percent-encodes one decoded segment the one canonical way (see the module comment). */
export function encodeSegment(segment: string): string {
  let out = '';
  for (const char of segment) {
    if (KEEP_RAW.test(char)) {
      out += char;
      continue;
    }
    for (const byte of utf8.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function canonicalizePath(rawPath: string): CanonicalPathResult {
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) return fail('path must start with /');
  if (rawPath.length > MAX_PATH_LENGTH) return fail(`path longer than ${MAX_PATH_LENGTH} characters`);
  const problem = rawProblem(rawPath);
  if (problem) return fail(problem);
  if (rawPath === '/') return { ok: true, path: '/', segments: [] };

  const parts = rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (const [index, part] of parts.entries()) {
    if (part === '') return fail(index === parts.length - 1 ? 'trailing slash in path' : 'empty segment (//) in path');
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return fail('percent-encoding is not valid UTF-8');
    }
    const segmentIssue = segmentProblem(segment);
    if (segmentIssue) return fail(segmentIssue);
    segments.push(segment);
  }
  return { ok: true, path: `/${segments.map(encodeSegment).join('/')}`, segments };
}
