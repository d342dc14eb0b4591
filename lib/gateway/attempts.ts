import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { env } from '@/lib/env';
import { ApiError } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import type { UsageAttempt } from '@/lib/usage/record';
import { logger } from '@/lib/observability/log';
import { metrics } from '@/lib/observability/metrics';
import type { CatalogModel } from './catalog';
import { providerFor } from './providers';
import { UpstreamTimeoutError, UpstreamUnreachableError } from './upstream';
import { discardBody } from './upstream-response';

const log = logger().child({ component: 'gateway' });

/**
 * Sending one request to its models in turn until one answers. Nothing has reached the client
 * while this runs — the answer's status and first byte come only from the attempt that answers —
 * so a provider's bad minute can be hidden from it:
 *
 * - a transient failure (the provider's 429 or 5xx, or no connection) is retried on the same
 *   model GATEWAY_RETRIES times, after a random pause in [0, GATEWAY_RETRY_BACKOFF_MS × 2ⁿ)
 *   ("full jitter": retries of many clients do not arrive together);
 * - then, or at once for a timeout (the wait was already spent), a provider refusing Conduit's
 *   own credentials or not knowing the model (404: retired, or not on Conduit's account), the next
 *   model the request listed is tried;
 * - an answer — a success, or the provider's other 4xx about the request itself — ends it;
 * - every model listed gets one attempt, but no retry starts once UPSTREAM_TIMEOUT_MS have passed
 *   since the first attempt: slow failures are not waited for again and again.
 *
 * Every attempt is kept for the usage record. Budget is not this module's concern: admission
 * reserved for the dearest candidate, and the settlement bills the one that answered.
 */

export interface Route {
  model: CatalogModel;
  /** The body as this model's provider is sent it (its upstream id, its output cap). */
  body: Record<string, unknown>;
}

export interface Sending {
  operation: Operation;
  stream: boolean;
  routes: readonly Route[];
  /** The client's: an abort ends the attempts (and the pause between them) at once. */
  signal: AbortSignal;
}

export type Sent =
  /** The provider's answer: 2xx, or a 4xx about the request (relayed). */
  | { outcome: 'answered'; route: Route; upstream: Response; attempts: UsageAttempt[] }
  /** Every attempt failed; `refusal` is the last one's, as the client gets it. */
  | { outcome: 'failed'; route: Route; refusal: ApiError; attempts: UsageAttempt[] }
  /** The client left first. */
  | { outcome: 'aborted'; route: Route; attempts: UsageAttempt[] };

type Attempt = { answer: Response } | { refusal: ApiError; upstreamStatus: number | null; retry: boolean } | { aborted: true };

export async function sendToRoutes(sending: Sending): Promise<Sent> {
  const { GATEWAY_RETRIES: retries, GATEWAY_RETRY_BACKOFF_MS: backoffMs, UPSTREAM_TIMEOUT_MS: timeoutMs } = env();
  const { signal } = sending;
  const attempts: UsageAttempt[] = [];
  const deadline = performance.now() + timeoutMs;
  let last!: { route: Route; refusal: ApiError };
  for (const route of sending.routes) {
    for (let retry = 0; ; retry++) {
      if (signal.aborted) return { outcome: 'aborted', route, attempts };
      const started = performance.now();
      const attempt = await attemptRoute(sending, route);
      if ('aborted' in attempt) return { outcome: 'aborted', route, attempts };
      const latencyMs = Math.round(performance.now() - started);
      const { id: model, provider } = route.model;
      if ('answer' in attempt) {
        attempts.push({ model, provider, status: attempt.answer.status, errorCode: null, latencyMs });
        return { outcome: 'answered', route, upstream: attempt.answer, attempts };
      }
      attempts.push({ model, provider, status: attempt.upstreamStatus, errorCode: attempt.refusal.code, latencyMs });
      // An answer is answered even if the client left meanwhile (forward bills what the provider
      // did); a failure with nobody left to tell is the client's leaving: nothing more is tried.
      const retrying = !signal.aborted && attempt.retry && retry < retries && performance.now() < deadline;
      const next = retrying ? 'retry' : !signal.aborted && route !== sending.routes.at(-1) ? 'fallback' : 'none';
      metrics().failedAttempts.labels(provider, attempt.refusal.code, next).inc();
      if (signal.aborted) return { outcome: 'aborted', route, attempts };
      last = { route, refusal: attempt.refusal };
      if (!retrying) break;
      if (!(await pause(backoffMs * 2 ** retry * Math.random(), signal))) return { outcome: 'aborted', route, attempts };
    }
  }
  return { outcome: 'failed', ...last, attempts };
}

/** One request to one model, sorted into an answer, a failure (retryable or not), or the client's leaving. */
async function attemptRoute(sending: Sending, route: Route): Promise<Attempt> {
  const { model } = route;
  let upstream: Response;
  try {
    upstream = await providerFor(model.provider).send({
      operation: sending.operation,
      upstreamModel: model.upstreamModel,
      requestedModel: model.id,
      body: route.body,
      stream: sending.stream,
      // The upstream request (and its body, mid-stream) stops when the client leaves.
      signal: sending.signal,
    });
  } catch (error) {
    if (sending.signal.aborted) return { aborted: true };
    if (error instanceof UpstreamTimeoutError) {
      return { refusal: new ApiError(504, 'upstream_timeout', `${model.provider} did not answer in time.`, { type: 'api_error' }), upstreamStatus: null, retry: false };
    }
    // Only a failed connection is worth the same call again; anything else is a fault of ours
    // that would repeat itself (logged), though another model may still answer.
    const network = error instanceof UpstreamUnreachableError;
    if (!network) log.error({ err: error, provider: model.provider }, 'the request to the provider failed');
    return { refusal: new ApiError(502, 'upstream_unavailable', `Could not reach ${model.provider}.`, { type: 'api_error' }), upstreamStatus: null, retry: network };
  }

  if (upstream.status === 401 || upstream.status === 403) {
    // The provider refused *our* credentials: a server misconfiguration, not the client's key,
    // so it must not look like one (an SDK would raise AuthenticationError for its own key).
    await discardBody(upstream);
    log.error({ provider: model.provider, status: upstream.status }, "the provider refused Conduit's provider key");
    const refusal = new ApiError(502, 'upstream_auth_failed', `${model.provider} rejected Conduit's credentials; the operator has been notified.`, { type: 'api_error' });
    return { refusal, upstreamStatus: upstream.status, retry: false };
  }

  if (upstream.status === 404) {
    // Asked of a model the catalog names: the provider retired it or Conduit's account lacks it.
    await discardBody(upstream);
    log.error({ provider: model.provider, model: model.upstreamModel }, 'the provider does not know a catalog model');
    return { refusal: new ApiError(502, 'upstream_error', `${model.provider} does not serve ${model.id} right now.`, { type: 'api_error' }), upstreamStatus: 404, retry: false };
  }

  if (upstream.status === 429 || upstream.status >= 500) {
    // The provider's own limits or failures: its wording can name Conduit's provider account
    // (org ids, quota state) and a 429 would read like this key's own rate limit. Same status,
    // Conduit's words.
    await discardBody(upstream);
    const refusal =
      upstream.status === 429
        ? new ApiError(429, 'upstream_rate_limited', `${model.provider} is rate limiting Conduit; try again shortly.`, { type: 'api_error', headers: { 'retry-after': '1' } })
        : new ApiError(502, 'upstream_error', `${model.provider} failed to answer (HTTP ${upstream.status}).`, { type: 'api_error' });
    // A status past 599 (undici takes any three digits) is no HTTP status to record.
    return { refusal, upstreamStatus: upstream.status <= 599 ? upstream.status : null, retry: true };
  }
  return { answer: upstream };
}

/** Waits `ms`; false if the client left meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
