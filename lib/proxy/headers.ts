import 'server-only';
import {
  CALLER_CREDENTIALS,
  CLIENT_NETWORK,
  CLIENT_NETWORK_PREFIXES,
  connectionListed,
  FRAMEWORK_PREFIXES,
  FRAMING,
  hasPrefix,
  HOP_BY_HOP,
  OVERRIDES,
} from './header-names';

export { extraHeadersSchema, injectionSchema, injectSecret, type ExtraHeaders, type Injection } from './inject';

/**
 * Which headers cross the proxy, each way. Requests keep what an API needs (content-type,
 * accept, user-agent, idempotency-key, anthropic-version, openai-beta, stripe-version...);
 * responses keep what an SDK reads (content-type, rate-limit headers, request ids, retry-after,
 * pagination Links). Both drop hop-by-hop headers and any header named in Connection.
 */

/**
 * Dropped from requests besides the shared lists:
 * - origin, referer: the upstream gets a server-to-server call, which is what it is. Referer
 *   would leak the end user's page URL to the vendor; Origin makes some APIs apply browser
 *   rules (Anthropic refuses browser calls without an opt-in header). A key restricted by
 *   referrer must become IP-restricted, or the link sets Referer as an extra header.
 * - sec-* (fetch metadata, client hints): facts about the browser, not the API call.
 * - rsc: Next.js' own protocol on our origin.
 */
const REQUEST_DROPPED = new Set(['origin', 'referer', 'rsc']);

export interface ForwardRequestOptions {
  /**
   * Always true, and the default: Authorization holds our access token or the end user's JWT,
   * never something for the upstream; the real credential is injected afterwards. Kept as a
   * literal so no call site can ask for the opposite.
   */
  stripAuthorization?: true;
}

/** The client's headers, minus everything that is not the API call itself. */
export function forwardRequestHeaders(incoming: Headers, options: ForwardRequestOptions = {}): Headers {
  void options;
  // "Connection: x-access-token, authorization" is legal HTTP: names listed there are
  // hop-by-hop too. They are stripped anyway, but the same trick must not keep others around.
  const listed = connectionListed(incoming);
  const out = new Headers();
  for (const [name, value] of incoming) {
    if (
      HOP_BY_HOP.has(name) ||
      listed.has(name) ||
      FRAMING.has(name) ||
      CALLER_CREDENTIALS.has(name) ||
      CLIENT_NETWORK.has(name) ||
      OVERRIDES.has(name) ||
      REQUEST_DROPPED.has(name) ||
      name.startsWith('sec-') ||
      hasPrefix(name, CLIENT_NETWORK_PREFIXES) ||
      hasPrefix(name, FRAMEWORK_PREFIXES)
    ) {
      continue;
    }
    out.append(name, value);
  }
  return out;
}

/**
 * Dropped from responses: the answer is served from OUR origin, so any header that sets
 * policy for an origin would set it for ours — and the upstream is chosen by a link owner.
 * - set-cookie: cookies on our domain (session fixation, cookie tossing between links);
 * - strict-transport-security, alt-svc, clear-site-data, content-security-policy(-report-only),
 *   report-to, reporting-endpoints, nel (would send our users' reports to the vendor),
 *   accept-ch, critical-ch, origin-agent-cluster, permissions-policy, cross-origin-*-policy,
 *   service-worker-allowed, expect-ct, public-key-pins: all origin-wide policy;
 * - access-control-*, timing-allow-origin: CORS is decided by the link's allowed origins;
 * - www-authenticate: a browser would show a login prompt on our origin (phishing);
 * - refresh: a navigation on our origin chosen by the upstream;
 * - x-accel-*, x-sendfile, x-lighttpd-send-file: nginx/Apache/lighttpd in front of us would
 *   serve an INTERNAL file or location named by the upstream;
 * - x-middleware-*, x-nextjs-*: Next.js reads some as instructions (rewrite, set-cookie);
 * - content-length: the body is relayed in chunks as it arrives. (Content-Encoding stays: the
 *   body is relayed as the upstream encoded it — Conduit asks for none, see lib/gateway/upstream.ts.)
 * Kept: server, x-powered-by (harmless and useful when debugging), cache-control, etag, link,
 * location (a 201's Location; redirects are never followed here), rate-limit and request-id headers.
 */
const RESPONSE_DROPPED = new Set([
  'set-cookie',
  'set-cookie2',
  'strict-transport-security',
  'alt-svc',
  'clear-site-data',
  'content-security-policy',
  'content-security-policy-report-only',
  'report-to',
  'reporting-endpoints',
  'nel',
  'accept-ch',
  'critical-ch',
  'origin-agent-cluster',
  'permissions-policy',
  'feature-policy',
  'cross-origin-opener-policy',
  'cross-origin-opener-policy-report-only',
  'cross-origin-embedder-policy',
  'cross-origin-embedder-policy-report-only',
  'cross-origin-resource-policy',
  'service-worker-allowed',
  'expect-ct',
  'public-key-pins',
  'public-key-pins-report-only',
  'timing-allow-origin',
  'www-authenticate',
  'refresh',
  'x-sendfile',
  'x-lighttpd-send-file',
  'content-length',
]);
const RESPONSE_DROPPED_PREFIXES = ['access-control-', 'x-accel-', 'x-middleware-', 'x-nextjs-'];

/**
 * The upstream's headers that may reach the client, plus two of ours: an upstream answer on our
 * origin is a document on our origin, so HTML or SVG from it must not run script there (the
 * dashboard shares the origin): nosniff, and a sandboxing CSP that allows nothing.
 */
export function forwardResponseHeaders(upstream: Headers): Headers {
  const listed = connectionListed(upstream);
  const out = new Headers();
  for (const [name, value] of upstream) {
    if (HOP_BY_HOP.has(name) || listed.has(name) || RESPONSE_DROPPED.has(name) || hasPrefix(name, RESPONSE_DROPPED_PREFIXES)) continue;
    out.append(name, value);
  }
  out.set('x-content-type-options', 'nosniff');
  out.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'; sandbox");
  return out;
}
