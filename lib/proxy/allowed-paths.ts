import 'server-only';
import { z } from 'zod';
import { canonicalizePath } from './canonical-path';

/**
 * allowed_paths: which upstream paths (and methods) a Conduit Link forwards. Anything not
 * listed is refused, so a leaked access token reaches /v1/chat/completions, not /v1/files.
 *
 * Patterns (case-sensitive, matched against the decoded segments of a canonical path):
 * - a literal segment matches itself only: `/v1/models` does not match `/v1/Models`;
 * - `*` matches exactly one segment (never `a/b`, never an empty one);
 * - `**`, only as the last segment, matches ONE or more remaining segments. Not zero:
 *   `/v1/files/**` is "anything under /v1/files", and the collection itself (often a list or
 *   create endpoint) must be listed on its own if wanted. `/**` plus `/` allows everything.
 * - `methods` (GET/POST/PUT/PATCH/DELETE/HEAD) narrows an entry; absent = any method. HEAD is
 *   not implied by GET. Several entries for one path add up. OPTIONS preflights are answered
 *   by the CORS layer, not here.
 * An empty list matches nothing: fail closed.
 */

export const PROXY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export type ProxyMethod = (typeof PROXY_METHODS)[number];
export const MAX_ALLOWED_PATHS = 100;
export const MAX_PATTERN_LENGTH = 500;

// Printable pchar without `;` (matrix parameters) and `%` (patterns are written decoded, so
// there is one spelling per path). Anything else could never match a canonical segment.
const LITERAL_SEGMENT = /^[A-Za-z0-9\-._~!$&'()+,=:@]+$/;
const LITERAL_HINT = "letters, digits and - . _ ~ ! $ & ' ( ) + , = : @";

/** Why `pattern` is not a valid allowed path, or null. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  if (!pattern.startsWith('/')) return 'must start with /';
  if (pattern === '/') return null;
  if (pattern.includes('\\')) return 'must not contain a backslash';
  if (pattern.includes('%')) return 'must not be percent-encoded: write the characters themselves';
  if (pattern.includes(';')) return 'must not contain ;';
  if (pattern.includes('..')) return 'must not contain ..';
  if (pattern.includes('//')) return 'must not contain an empty segment (//)';
  if (pattern.endsWith('/')) return 'must not end with /';
  const segments = pattern.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '**') {
      if (index !== segments.length - 1) return '** is only allowed as the last segment';
    } else if (segment === '*') {
      continue;
    } else if (segment.includes('*')) {
      return '* must be a whole segment';
    } else if (segment === '.') {
      return 'must not contain a . segment';
    } else if (!LITERAL_SEGMENT.test(segment)) {
      return `segment "${segment.slice(0, 40)}" may only contain ${LITERAL_HINT}`;
    }
  }
  return null;
}

export const allowedPathPatternSchema = z.string().superRefine((pattern, ctx) => {
  const problem = patternProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: `Allowed path ${JSON.stringify(pattern.slice(0, 60))} ${problem}` });
});

/** One entry: a bare pattern (the seed's format) or `{ path, methods }`; always parsed to the object. */
export const allowedPathSchema = z.union([
  allowedPathPatternSchema.transform((path) => ({ path })),
  z
    .strictObject({
      path: allowedPathPatternSchema,
      methods: z.array(z.enum(PROXY_METHODS)).min(1, 'List at least one method, or leave methods out for any').optional(),
    })
    .transform(({ path, methods }) => (methods ? { path, methods: [...new Set(methods)] } : { path })),
]);
export type AllowedPath = z.output<typeof allowedPathSchema>;

export const allowedPathsSchema = z
  .array(allowedPathSchema)
  .max(MAX_ALLOWED_PATHS, `At most ${MAX_ALLOWED_PATHS} allowed paths`);

export type PathMatcher = (method: string, canonicalPath: string) => boolean;
type Rule = { segments: string[]; methods: ReadonlySet<string> | null };

function matches(pattern: readonly string[], segments: readonly string[]): boolean {
  const globstar = pattern[pattern.length - 1] === '**';
  const fixed = globstar ? pattern.length - 1 : pattern.length;
  if (globstar ? segments.length <= fixed : segments.length !== fixed) return false;
  for (let i = 0; i < fixed; i++) {
    if (pattern[i] !== '*' && pattern[i] !== segments[i]) return false;
  }
  return true;
}

/**
 * Compiles the list once. Entries that fail validation (they were validated on save, so this
 * means corrupt data) are skipped, which only narrows access. The matcher takes the method as
 * sent (HTTP methods are case-sensitive; fetch upper-cases only GET/POST/PUT/DELETE/HEAD/
 * OPTIONS, so a `patch` stays `patch` and does not match PATCH) and a CANONICAL path: anything
 * canonicalizePath would rewrite or refuse matches nothing.
 */
export function compileAllowedPaths(entries: readonly { path: string; methods?: readonly string[] }[]): PathMatcher {
  const rules: Rule[] = [];
  for (const entry of entries) {
    if (typeof entry?.path !== 'string' || patternProblem(entry.path) !== null) continue;
    if (entry.methods && entry.methods.length === 0) continue;
    const segments = entry.path === '/' ? [] : entry.path.slice(1).split('/');
    rules.push({ segments, methods: entry.methods ? new Set(entry.methods) : null });
  }
  return (method, canonicalPath) => {
    const checked = canonicalizePath(canonicalPath);
    if (!checked.ok || checked.path !== canonicalPath) return false;
    return rules.some((rule) => (rule.methods === null || rule.methods.has(method)) && matches(rule.segments, checked.segments));
  };
}

export type PinResult = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Replaces the `*` at segment `index` (0-based, after the leading `/`) with a literal value,
 * e.g. pinSegment('/Accounts/*\/Messages.json', 1, 'AC123') → '/Accounts/AC123/Messages.json'.
 * The Twilio preset pins its patterns to the stored AccountSid so a token for one account's
 * link cannot be used against another account the same credentials can reach (subaccounts).
 */
export function pinSegment(pattern: string, index: number, value: string): PinResult {
  const problem = patternProblem(pattern);
  if (problem) return { ok: false, reason: `pattern ${problem}` };
  const segments = pattern === '/' ? [] : pattern.slice(1).split('/');
  if (segments[index] !== '*') return { ok: false, reason: `segment ${index} of ${pattern} is not *` };
  if (!LITERAL_SEGMENT.test(value)) return { ok: false, reason: `value may only contain ${LITERAL_HINT}` };
  segments[index] = value;
  const path = `/${segments.join('/')}`;
  const pinned = patternProblem(path);
  return pinned ? { ok: false, reason: `pinned pattern ${pinned}` } : { ok: true, path };
}
