import 'server-only';
import { Agent, type Dispatcher } from 'undici';
import { ApiError, errorResponse } from '@/lib/errors';
import { metrics } from '@/lib/observability/metrics';
import { createGuardedAgent } from '@/lib/proxy/guarded-agent';
import { UpstreamResponse } from './upstream-response';

/**
 * A request to an upstream API, the way every forwarder here needs it: never follows redirects
 * (a secret must never leave for another origin), gives up waiting for response headers after
 * `timeoutMs`, and aborts when `signal` does (the client went away).
 *
 * It goes out through undici's `request()` — the engine under Node's fetch — not fetch itself.
 * fetch wraps every request in WHATWG machinery a forwarder has no use for: a Request object,
 * a ReadableStream and an async generator around every body (a Buffer included), another
 * stream for the answer, per-chunk promises. On this machine a bare Node forwarder serves about
 * 3.5× the requests per second with `request()` as with fetch (`npm run bench`, its two bare
 * rows); for the gateway and the links that was most of a request's CPU. The answer is still a
 * Response (UpstreamResponse), so everything above this module stays Web-standard; on a runtime
 * without undici this one function would go back to fetch.
 */
export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
}

export class UpstreamUnreachableError extends Error {
  override name = 'UpstreamUnreachableError';
}

export type UpstreamName = 'openai' | 'anthropic' | 'gemini' | 'mistral' | 'groq' | 'deepseek' | 'link' | 'webhook';

export interface UpstreamInit {
  method?: string;
  /** Header names are sent as given: callers pass lower-case names. */
  headers?: Headers | Record<string, string>;
  /** Bytes, text, or a stream of bytes (sent chunked). */
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  timeoutMs: number;
  /** The client's signal: the upstream request stops when it aborts. */
  signal?: AbortSignal;
  /**
   * What a 3xx answer becomes; it is never followed either way. 'relay' hands it back as it is
   * (a proxy link relays the upstream's answer untouched); 'refuse' makes it an
   * UpstreamUnreachableError.
   */
  redirects: 'relay' | 'refuse';
  /**
   * A customer's upstream (proxy links, alert webhooks): connect only to addresses that pass the
   * SSRF rules, checked at connect time (lib/proxy/guarded-agent.ts). Providers are ours: not guarded.
   */
  guarded: boolean;
  /** Who is called, for the upstream latency metric: a closed set (never a host or a link). */
  upstream: UpstreamName;
}

/**
 * The timeouts live in the connection pool, not in a timer and an AbortController per request:
 * those (and fetch following a second signal) were a visible share of a gateway request's CPU.
 * One pool per (guard, timeout) pair — in practice two or three per process.
 */
const POOLS = Symbol.for('conduit.upstream.pools');
const registry = globalThis as typeof globalThis & { [POOLS]?: Map<string, Agent> };

function upstreamPool(guarded: boolean, timeoutMs: number): Agent {
  const pools = (registry[POOLS] ??= new Map());
  const name = `${guarded ? 'guarded' : 'open'}:${timeoutMs}`;
  let pool = pools.get(name);
  if (!pool) {
    // headersTimeout: from the request written to its response headers; connect: the TCP (and TLS) handshake.
    const timeouts = { headersTimeout: timeoutMs, connectTimeout: timeoutMs };
    pool = guarded ? createGuardedAgent(undefined, timeouts) : new Agent({ headersTimeout: timeouts.headersTimeout, connect: { timeout: timeouts.connectTimeout } });
    pools.set(name, pool);
  }
  return pool;
}

/** undici's codes for "no answer in time". */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function timedOut(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (TIMEOUT_CODES.has((current as Error & { code?: unknown }).code as string)) return true;
  }
  return false;
}

/**
 * What is sent when the caller did not say. Accept-Encoding asks for the body as it is: nothing
 * here decompresses, and the gateway and the link meter read usage from the bytes. User-Agent and
 * Accept are what fetch sent: some APIs refuse a request without a User-Agent.
 */
const DEFAULT_HEADERS: readonly (readonly [string, string])[] = [
  ['accept-encoding', 'identity'],
  ['user-agent', 'Conduit'],
  ['accept', '*/*'],
];

/** The headers as undici takes them: a flat name/value list (names in lower case, as given). */
function outgoingHeaders(headers: Headers | Record<string, string> = {}): string[] {
  const flat: string[] = [];
  if (headers instanceof Headers) headers.forEach((value, name) => flat.push(name, value));
  else for (const name in headers) flat.push(name, headers[name]!);
  for (const [name, value] of DEFAULT_HEADERS) {
    if (!(headers instanceof Headers ? headers.has(name) : name in headers)) flat.push(name, value);
  }
  return flat;
}

/**
 * A provider's answer whose body came compressed although none was asked for: the gateway cannot
 * read usage from it (nothing here decompresses), so it is refused (502, body dropped) rather than
 * billed as nothing. Null for a plain answer.
 */
export function refuseEncodedAnswer(response: UpstreamResponse, provider: string): Response | null {
  const encoding = response.header('content-encoding');
  if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return null;
  response.discard();
  return errorResponse(new ApiError(502, 'upstream_error', `${provider} answered with a compressed body that was not asked for.`, { type: 'api_error' }));
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchUpstream(url: string | URL, init: UpstreamInit): Promise<UpstreamResponse> {
  const { timeoutMs, redirects, guarded, signal, method = 'GET', body } = init;
  let answer: Dispatcher.ResponseData;
  const started = performance.now();
  const observe = (outcome: 'answered' | 'timeout' | 'unreachable') =>
    metrics().upstream.labels(init.upstream, outcome).observe((performance.now() - started) / 1000);
  try {
    const target = typeof url === 'string' ? new URL(url) : url;
    answer = await upstreamPool(guarded, timeoutMs).request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: method as Dispatcher.HttpMethod,
      headers: outgoingHeaders(init.headers),
      body: body as Dispatcher.DispatchOptions['body'],
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    if (timedOut(error)) {
      observe('timeout');
      throw new UpstreamTimeoutError(`no response within ${timeoutMs} ms`, { cause: error });
    }
    observe('unreachable');
    throw new UpstreamUnreachableError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  observe('answered');
  if (redirects === 'refuse' && REDIRECTS.has(answer.statusCode)) {
    // Dumped, not destroyed: a small body is read off so the connection can be reused.
    answer.body.dump().catch(() => {});
    throw new UpstreamUnreachableError(`redirected (HTTP ${answer.statusCode}); redirects are not followed`);
  }
  return new UpstreamResponse(answer.statusCode, answer.headers, answer.body);
}
