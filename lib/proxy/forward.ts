import 'server-only';
import { openSecret } from '@/lib/crypto/secret-box';
import { env } from '@/lib/env';
import { bufferedBody } from '@/lib/server/node-request';
import { RelayResponse } from '@/lib/server/relay-response';
import { fetchUpstream, UpstreamTimeoutError, type UpstreamInit } from '@/lib/gateway/upstream';
import type { UpstreamResponse } from '@/lib/gateway/upstream-response';
import type { LinkRecord } from '@/lib/links/record';
import { forwardRequestHeaders, forwardResponseHeaders, injectSecret } from './headers';
import { BodyTooLargeError, bodyMeter, limitBody } from './meter';
import { upstreamUrl } from './path';
import { proxyRefusals } from './refusals';
import { blockedByGuard, unresolvedHost } from './guarded-agent';
import { checkHostname } from './ssrf';
import { recordProxyUsage, type ProxyContext } from './usage';

/** fetchUpstream wraps the failure of a request body's stream: look down the chain. */
function causedBy(error: unknown, type: new (...args: never[]) => Error): boolean {
  for (let current: unknown = error; current instanceof Error; current = (current as Error).cause) {
    if (current instanceof type) return true;
  }
  return false;
}

/**
 * Opened secrets by link record: records are cached objects, and a replaced secret arrives in a
 * new record, so each is decrypted once per cached record rather than on every request.
 */
const openedSecrets = new WeakMap<LinkRecord, string>();

function secretOf(link: LinkRecord): string {
  let secret = openedSecrets.get(link);
  if (secret === undefined) openedSecrets.set(link, (secret = openSecret(link.secretSealed)));
  return secret;
}

interface Forwarding {
  request: Request;
  context: ProxyContext;
  link: LinkRecord;
  /** Canonical path, already matched against allowed_paths: exactly what the upstream gets. */
  path: string;
  query: string;
}

/**
 * The body to send on: the bytes themselves when the entry already read them whole (cheaper
 * than a stream by far), otherwise the client's stream, counted and cut off past `maxBody`.
 */
function requestBody(f: Forwarding, maxBody: number): Pick<UpstreamInit, 'body'> {
  if (f.request.method === 'GET' || f.request.method === 'HEAD') return {};
  const bytes = bufferedBody(f.request);
  if (bytes) {
    if (bytes.byteLength > maxBody) throw proxyRefusals.bodyTooLarge(maxBody);
    f.context.requestBytes = bytes.byteLength;
    return { body: bytes };
  }
  if (f.request.body === null) return {};
  return { body: f.request.body.pipeThrough(limitBody(maxBody, (count) => (f.context.requestBytes = count))) };
}

/**
 * Sends the checked request to the link's upstream with the real secret, and streams the
 * answer back untouched (status, safe headers, body). Never follows redirects, so the secret
 * never leaves for another origin; refuses upstream addresses that resolve to private ranges
 * (the guarded pool checks them when it connects, so DNS rebinding finds no window).
 */
export async function forwardToUpstream(f: Forwarding): Promise<Response> {
  const { PROXY_ALLOW_PRIVATE_UPSTREAMS: allowPrivate, PROXY_MAX_BODY_BYTES: maxBody, UPSTREAM_TIMEOUT_MS } = env();
  const url = upstreamUrl(f.link.upstreamBaseUrl, f.path, new URLSearchParams(f.query));
  // The name rules here; the addresses when the connection opens (guarded-agent.ts), so the
  // address checked is the address connected to, and a pooled connection needs no lookup at all.
  if (!checkHostname(url.hostname, { allowPrivate }).ok) throw proxyRefusals.upstreamBlocked();

  if (Number(f.request.headers.get('content-length') ?? 0) > maxBody) throw proxyRefusals.bodyTooLarge(maxBody);
  const headers = forwardRequestHeaders(f.request.headers, { stripAuthorization: true });
  injectSecret(headers, url, secretOf(f.link), f.link.injection, f.link.extraHeaders);

  let upstream: UpstreamResponse;
  try {
    upstream = await fetchUpstream(url, {
      method: f.request.method,
      headers,
      ...requestBody(f, maxBody),
      timeoutMs: UPSTREAM_TIMEOUT_MS,
      redirects: 'relay',
      signal: f.request.signal,
      guarded: !allowPrivate,
      upstream: 'link',
    });
  } catch (error) {
    if (causedBy(error, BodyTooLargeError)) throw proxyRefusals.bodyTooLarge(maxBody);
    if (blockedByGuard(error)) throw proxyRefusals.upstreamBlocked();
    if (unresolvedHost(error)) throw proxyRefusals.upstreamUnresolved();
    throw error instanceof UpstreamTimeoutError ? proxyRefusals.upstreamTimeout() : proxyRefusals.upstreamUnavailable();
  }

  const contentType = upstream.header('content-type') ?? '';
  const kind = contentType.includes('text/event-stream') ? 'sse' : contentType.includes('json') ? 'json' : 'other';
  f.context.stream = kind === 'sse';
  const responseHeaders = forwardResponseHeaders(upstream.headers);
  if (kind === 'sse') {
    responseHeaders.set('cache-control', 'no-cache, no-transform');
    responseHeaders.set('x-accel-buffering', 'no');
  }
  const meter = bodyMeter(kind, (metered, ended) => {
    Object.assign(f.context, {
      responseBytes: metered.bytes,
      inputTokens: metered.inputTokens,
      outputTokens: metered.outputTokens,
      ttftMs: metered.firstByteAt === null ? null : metered.firstByteAt - f.context.startedAt,
      errorCode: ended === 'complete' ? null : ended,
    });
    recordProxyUsage(f.context, upstream.status);
  });
  return new RelayResponse(upstream.source, meter, { status: upstream.status, headers: responseHeaders });
}
