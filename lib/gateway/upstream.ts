import 'server-only';
import type { Dispatcher } from 'undici';

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

export interface UpstreamInit extends RequestInit {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * What a 3xx answer becomes; it is never followed either way. 'relay' hands it back as it is
   * (a proxy link relays the upstream's answer untouched); 'refuse' makes it an
   * UpstreamUnreachableError — and spares fetch() cloning and teeing every request body in
   * case a redirect must be replayed (a visible share of the bench's profile before this).
   */
  redirects: 'relay' | 'refuse';
  /** The connection pool to use (proxy links: the SSRF-guarded one); Node's default otherwise. */
  dispatcher?: Dispatcher;
}

export async function fetchUpstream(url: string | URL, init: UpstreamInit): Promise<Response> {
  const { timeoutMs, signal, redirects, ...rest } = init;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new UpstreamTimeoutError(`no response within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort(); // a listener added after the abort never fires
  try {
    return await nativeFetch()(url, { ...rest, redirect: redirects === 'relay' ? 'manual' : 'error', signal: controller.signal });
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    if (controller.signal.reason instanceof UpstreamTimeoutError) throw controller.signal.reason;
    if (signal?.aborted) throw error;
    throw new UpstreamUnreachableError(error instanceof Error ? error.message : String(error), { cause: error });
  } finally {
    // Only the wait for headers is bounded; a long stream may run as long as it streams. The
    // abort listener stays: a client leaving mid-stream must still cancel the upstream body.
    clearTimeout(timer);
  }
}
