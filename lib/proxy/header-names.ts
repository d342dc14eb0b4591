import 'server-only';

/**
 * Header names the proxy treats specially, shared by the forwarding rules (headers.ts) and
 * the link settings that may set headers (inject.ts). Names are lowercase, as Headers yields them.
 */

/** Connection-specific (RFC 9110 §7.6.1, plus legacy ones): meaningful for one hop only. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/**
 * Framing and negotiation that the HTTP client does itself for the hop it makes. A forwarded
 * Content-Length could disagree with the body it sends (request smuggling upstream); the
 * upstream is asked for an unencoded body (the link meter reads usage from it), whatever
 * Accept-Encoding the client sent; Expect would stall the request.
 */
export const FRAMING = new Set(['host', 'content-length', 'expect', 'accept-encoding']);

/**
 * Who the client is and how it reached us. Forwarding them would leak the end user's IP and
 * our infrastructure to the upstream, and a client could forge them to spoof its address at
 * upstreams that trust them (Cloudflare-fronted APIs read CF-Connecting-IP).
 */
export const CLIENT_NETWORK = new Set([
  'forwarded',
  'via',
  'x-real-ip',
  'true-client-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'fastly-client-ip',
]);
export const CLIENT_NETWORK_PREFIXES = ['x-forwarded-', 'cf-', 'x-vercel-'];

/**
 * Headers some frameworks honour to change the method or path AFTER our checks: Google APIs and
 * Rails read X-HTTP-Method-Override (a POST allowed for /v1/x becomes a DELETE), Symfony and IIS
 * read X-Original-URL / X-Rewrite-URL (the allowed path is replaced by another one).
 */
export const OVERRIDES = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
]);

/** Next.js internals (x-middleware-subrequest skipped middleware in CVE-2025-29927). */
export const FRAMEWORK_PREFIXES = ['x-middleware-', 'x-nextjs-', 'x-invoke-', 'next-'];

/** Our credentials and the browser's session for our origin. */
export const CALLER_CREDENTIALS = new Set(['authorization', 'x-access-token', 'cookie']);

export const hasPrefix = (name: string, prefixes: readonly string[]) => prefixes.some((prefix) => name.startsWith(prefix));

/** Names no link setting may set: they control the hop, who the client is, or our routing. */
export function isReservedName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    HOP_BY_HOP.has(lower) ||
    FRAMING.has(lower) ||
    CLIENT_NETWORK.has(lower) ||
    OVERRIDES.has(lower) ||
    lower === 'x-access-token' ||
    hasPrefix(lower, CLIENT_NETWORK_PREFIXES) ||
    hasPrefix(lower, FRAMEWORK_PREFIXES)
  );
}

/** The header names listed in Connection: also hop-by-hop for this message (RFC 9110 §7.6.1). */
export function connectionListed(headers: Headers): Set<string> {
  const listed = new Set<string>();
  for (const token of (headers.get('connection') ?? '').split(',')) {
    const name = token.trim().toLowerCase();
    if (name) listed.add(name);
  }
  return listed;
}

/** RFC 9110 token: the only valid spelling of a header name. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
