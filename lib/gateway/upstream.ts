import 'server-only';
import { Agent } from 'undici';
import { createGuardedAgent } from '@/lib/proxy/guarded-agent';

/**
 * fetch() towards an upstream API, the way every forwarder here needs it: never follows
 * redirects (a secret must never leave for another origin), gives up waiting for response
 * headers after `timeoutMs`, and aborts when `signal` does (the client went away).
 */
export class UpstreamTimeoutError extends Error {
  override name = 'UpstreamTimeoutError';
}

export class UpstreamUnreachableError extends Error {
  override name = 'UpstreamUnreachableError';
}

/**
 * Node's own fetch. Next.js patches the global one (data cache, tracing spans) in any process
 * that runs it — including the production entry, where the hot paths share the process with
 * Next — and a forwarder needs none of that on every request. Next keeps the original on the
 * patched function; read per call, since the patch may land after this module loads.
 */
const nativeFetch = (): typeof fetch => (globalThis.fetch as typeof fetch & { _nextOriginalFetch?: typeof fetch })._nextOriginalFetch ?? globalThis.fetch;

export interface UpstreamInit extends Omit<RequestInit, 'signal' | 'redirect' | 'window'> {
  timeoutMs: number;
  /** The client's signal: the upstream request stops when it aborts. */
  signal?: AbortSignal;
  /**
   * What a 3xx answer becomes; it is never followed either way. 'relay' hands it back as it is
   * (a proxy link relays the upstream's answer untouched); 'refuse' makes it an
   * UpstreamUnreachableError — and spares fetch() cloning and teeing every request body in
   * case a redirect must be replayed (a visible share of the bench's profile before this).
   */
  redirects: 'relay' | 'refuse';
  /**
   * A customer's upstream (proxy links, alert webhooks): connect only to addresses that pass the
   * SSRF rules, checked at connect time (lib/proxy/guarded-agent.ts). Providers are ours: not guarded.
   */
  guarded: boolean;
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

/** undici's codes for "no answer in time" (fetch wraps them as the cause of a TypeError). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function timedOut(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (TIMEOUT_CODES.has((current as Error & { code?: unknown }).code as string)) return true;
  }
  return false;
}

export async function fetchUpstream(url: string | URL, init: UpstreamInit): Promise<Response> {
  const { timeoutMs, redirects, guarded, ...rest } = init;
  try {
    return await nativeFetch()(url, {
      ...rest,
      redirect: redirects === 'relay' ? 'manual' : 'error',
      dispatcher: upstreamPool(guarded, timeoutMs),
    } as RequestInit);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    if (timedOut(error)) throw new UpstreamTimeoutError(`no response within ${timeoutMs} ms`, { cause: error });
    throw new UpstreamUnreachableError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
