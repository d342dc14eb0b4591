import 'server-only';
import { ApiError, errorResponse } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import { settle, type Reservation } from '@/lib/limits/admission';
import { BytesResponse } from '@/lib/server/bytes-response';
import { RelayResponse } from '@/lib/server/relay-response';
import { queuedRecord } from '@/lib/usage/queue';
import type { CatalogModel } from './catalog';
import { usageRecord, type RequestContext } from './context';
import { requestCost, tokenCounts, type TokenCounts } from './cost';
import { promptTokenGuess } from './estimate';
import { providerFor } from './providers';
import type { GatewayRequestBody } from './request-schemas';
import { sseTap, type OpenAIUsage, type StreamOutcome } from './sse-tap';
import { UpstreamTimeoutError } from './upstream';
import { discardBody, relaySource } from './upstream-response';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'gateway' });

interface Forwarding {
  request: Request;
  context: RequestContext;
  operation: Operation;
  model: CatalogModel;
  body: GatewayRequestBody;
  upstreamBody: Record<string, unknown>;
  stream: boolean;
  reservation: Reservation;
  rateHeaders: Record<string, string>;
}

const STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' };

/** Sends an admitted request to its provider and returns the answer, settling spend once it is known. */
export async function forward(f: Forwarding): Promise<Response> {
  let upstream: Response;
  try {
    upstream = await providerFor(f.model.provider).send({
      operation: f.operation,
      upstreamModel: f.model.upstreamModel,
      requestedModel: f.model.id,
      body: f.upstreamBody,
      stream: f.stream,
      // The upstream request (and its body, mid-stream) stops when the client leaves.
      signal: f.request.signal,
    });
  } catch (error) {
    if (f.request.signal.aborted) {
      // The client left before (or while) the request went out: nothing to answer, nothing to
      // charge; 499 ("client closed request", as nginx logs it) keeps the usage record honest.
      settleInBackground(f, null, 499, 'client_disconnected');
      return errorResponse(new ApiError(499, 'client_disconnected', 'The client closed the request.', { type: 'api_error' }), f.rateHeaders);
    }
    const refusal =
      error instanceof UpstreamTimeoutError
        ? new ApiError(504, 'upstream_timeout', `${f.model.provider} did not answer in time.`, { type: 'api_error' })
        : new ApiError(502, 'upstream_unavailable', `Could not reach ${f.model.provider}.`, { type: 'api_error' });
    settleInBackground(f, null, refusal.status, refusal.code);
    return errorResponse(refusal, f.rateHeaders);
  }

  if (upstream.status === 401 || upstream.status === 403) {
    // The provider refused *our* credentials: a server misconfiguration, not the client's key,
    // so it must not look like one (an SDK would raise AuthenticationError for its own key).
    await discardBody(upstream);
    const refusal = new ApiError(502, 'upstream_auth_failed', `${f.model.provider} rejected Conduit's credentials; the operator has been notified.`, {
      type: 'api_error',
    });
    log.error({ provider: f.model.provider, status: upstream.status }, "the provider refused Conduit's provider key");
    settleInBackground(f, null, refusal.status, refusal.code);
    return errorResponse(refusal, f.rateHeaders);
  }

  if (upstream.status === 429 || upstream.status >= 500) {
    // The provider's own limits or failures: its wording can name Conduit's provider account
    // (org ids, quota state) and a 429 would read like this key's own rate limit. Same status,
    // Conduit's words.
    await discardBody(upstream);
    const refusal =
      upstream.status === 429
        ? new ApiError(429, 'upstream_rate_limited', `${f.model.provider} is rate limiting Conduit; try again shortly.`, { type: 'api_error', headers: { 'retry-after': '1' } })
        : new ApiError(502, 'upstream_error', `${f.model.provider} failed to answer (HTTP ${upstream.status}).`, { type: 'api_error' });
    settleInBackground(f, null, refusal.status, refusal.code);
    return errorResponse(refusal, f.rateHeaders);
  }

  if (!upstream.ok) {
    // The provider refused the request itself (bad parameters...): nothing is charged, and the
    // client sees the provider's OpenAI-shaped explanation with its status.
    const text = await upstream.text().catch(() => '');
    settleInBackground(f, null, upstream.status, errorCode(text));
    return new BytesResponse(text, { status: upstream.status, headers: { 'content-type': 'application/json', ...f.rateHeaders } });
  }

  const source = f.stream ? relaySource(upstream) : null;
  if (!source) {
    let bytes: Buffer;
    try {
      // Bytes, not text(): the body is relayed as it came and parsed once, for its usage.
      bytes = Buffer.from(await upstream.arrayBuffer());
    } catch {
      // The client left or the upstream broke while the answer downloaded: the provider has
      // done the work, so the prompt is billed (as for a stream cut short), then 502.
      const tokens = { inputTokens: promptTokenGuess(f.operation, f.body), cachedInputTokens: 0, outputTokens: 0 };
      const code = f.request.signal.aborted ? 'client_disconnected' : 'upstream_stream_error';
      settleInBackground(f, tokens, 502, code);
      return errorResponse(new ApiError(502, code, 'The upstream answer was interrupted.', { type: 'api_error' }), f.rateHeaders);
    }
    await settleBeforeAnswering(f, tokenCounts(usageOf(bytes.toString('utf8'))), upstream.status);
    return new BytesResponse(bytes, { status: upstream.status, headers: { 'content-type': 'application/json', ...f.rateHeaders } });
  }

  // Responses API streams carry usage for everyone; chat and completions only when asked for.
  const showUsage = f.operation === 'responses' || (f.body as { stream_options?: { include_usage?: boolean } | null }).stream_options?.include_usage === true;
  const tap = sseTap({
    showUsage,
    // The stream's last bytes wait for this (relay-response.ts) when it ended whole.
    onEnd: (outcome) => {
      if (outcome.firstOutputAt) f.context.record.ttftMs = outcome.firstOutputAt - f.context.startedAt;
      return settleBeforeAnswering(f, streamTokens(f, outcome), outcome.interrupted === 'upstream' ? 502 : 200, interruptionCode(outcome));
    },
  });
  return new RelayResponse(source, tap, { status: 200, headers: { ...STREAM_HEADERS, ...f.rateHeaders } });
}

/** Tokens of a stream: the provider's own count, or — if it was cut short — what was delivered. */
function streamTokens(f: Forwarding, outcome: StreamOutcome): TokenCounts {
  if (outcome.usage) return tokenCounts(outcome.usage);
  return { inputTokens: promptTokenGuess(f.operation, f.body), cachedInputTokens: 0, outputTokens: outcome.outputChunks };
}

const interruptionCode = (outcome: StreamOutcome) =>
  outcome.interrupted === 'client' ? 'client_disconnected' : outcome.interrupted === 'upstream' ? 'upstream_stream_error' : null;

function usageOf(text: string): OpenAIUsage | null {
  try {
    return (JSON.parse(text) as { usage?: OpenAIUsage }).usage ?? null;
  } catch {
    return null;
  }
}

function errorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown; type?: unknown } }).error;
    return String(code?.code ?? code?.type ?? 'upstream_error');
  } catch {
    return 'upstream_error';
  }
}

/**
 * Settles the reservation and queues the usage record in one Redis script, after the
 * response has been handed back: the client never waits for it. If this process dies first,
 * the sweeper releases the reservation.
 */
function settleInBackground(f: Forwarding, tokens: TokenCounts | null, status: number, code: string | null = null): void {
  void settlement(f, tokens, status, code, false);
}

/**
 * The same, for an answer the provider gave: the client's last bytes wait until the settlement
 * and its usage record are in Redis (one round trip, sent at the end of this turn). A process killed
 * right after answering would otherwise take both with it: a request answered, never billed or
 * recorded. Never rejects: if Redis fails now, the answer still goes out (the provider's work is
 * done) and the loss is logged.
 */
function settleBeforeAnswering(f: Forwarding, tokens: TokenCounts | null, status: number, code: string | null = null): Promise<void> {
  return settlement(f, tokens, status, code, true);
}

function settlement(f: Forwarding, tokens: TokenCounts | null, status: number, code: string | null, awaited: boolean): Promise<void> {
  const cost = tokens ? Math.min(requestCost(f.model, tokens), f.reservation.reserved) : 0;
  Object.assign(f.context.record, tokens ?? {}, { costMicros: cost, errorCode: code });
  const record = usageRecord(f.context, status);
  return settle(f.reservation, cost, queuedRecord(record), undefined, { awaited }).then(
    () => undefined,
    (error: unknown) => log.error({ err: error, requestId: f.context.requestId }, 'could not settle'),
  );
}
