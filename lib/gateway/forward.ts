import 'server-only';
import { ApiError, errorResponse } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import { settle, type Reservation } from '@/lib/limits/admission';
import { BytesResponse } from '@/lib/server/bytes-response';
import { RelayResponse } from '@/lib/server/relay-response';
import { queuedRecord } from '@/lib/usage/queue';
import { MAX_ATTEMPTS } from '@/lib/usage/record';
import type { CatalogModel } from './catalog';
import { usageRecord, type RequestContext } from './context';
import { requestCost, tokenCounts, type TokenCounts } from './cost';
import { promptTokenGuess } from './estimate';
import type { GatewayRequestBody } from './request-schemas';
import { sseTap, type OpenAIUsage, type StreamOutcome } from './sse-tap';
import { relaySource } from './upstream-response';
import { logger } from '@/lib/observability/log';
import { sendToRoutes, type Route } from './attempts';

const log = logger().child({ component: 'gateway' });

interface Forwarding {
  request: Request;
  context: RequestContext;
  operation: Operation;
  body: GatewayRequestBody;
  /** The request's models in order, each with the body its provider is sent. */
  routes: readonly Route[];
  stream: boolean;
  reservation: Reservation;
  rateHeaders: Record<string, string>;
}

/** A forwarding once its attempts are over: `model` is the one that answered, or was tried last. */
interface Served extends Forwarding {
  model: CatalogModel;
}

const STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' };

/** Sends an admitted request to its models (attempts.ts) and returns the answer, settling spend once it is known. */
export async function forward(forwarding: Forwarding): Promise<Response> {
  const sent = await sendToRoutes({ operation: forwarding.operation, stream: forwarding.stream, routes: forwarding.routes, signal: forwarding.request.signal });
  // The same object, not a copy: its model is the one that answered (or was tried last).
  const f: Served = Object.assign(forwarding, { model: sent.route.model });
  // The record names that model; more than one attempt are listed.
  Object.assign(f.context.record, { model: f.model.id, provider: f.model.provider, attempts: sent.attempts.length > 1 ? sent.attempts.slice(-MAX_ATTEMPTS) : null });
  // The request's own record (rateLimitHeaders makes one per request): added to, not copied.
  const served = f.rateHeaders;
  served['x-conduit-model'] = f.model.id;
  served['x-conduit-attempts'] = String(sent.attempts.length);

  if (sent.outcome === 'aborted') {
    // The client left before (or while) the request went out: nothing to answer, nothing to
    // charge; 499 ("client closed request", as nginx logs it) keeps the usage record honest.
    settleInBackground(f, null, 499, 'client_disconnected');
    return errorResponse(new ApiError(499, 'client_disconnected', 'The client closed the request.', { type: 'api_error' }), served);
  }
  if (sent.outcome === 'failed') {
    settleInBackground(f, null, sent.refusal.status, sent.refusal.code);
    // Conduit has retried already: an SDK retrying on top would multiply the attempts (the openai
    // and anthropic SDKs honour x-should-retry).
    if (sent.attempts.length > 1) served['x-should-retry'] = 'false';
    return errorResponse(sent.refusal, served);
  }
  const { upstream } = sent;

  if (!upstream.ok) {
    // The provider refused the request itself (bad parameters...): nothing is charged, and the
    // client sees the provider's OpenAI-shaped explanation with its status.
    const text = await upstream.text().catch(() => '');
    settleInBackground(f, null, upstream.status, errorCode(text));
    return new BytesResponse(text, { status: upstream.status, headers: { 'content-type': 'application/json', ...served } });
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
      return errorResponse(new ApiError(502, code, 'The upstream answer was interrupted.', { type: 'api_error' }), served);
    }
    await settleBeforeAnswering(f, tokenCounts(usageOf(bytes.toString('utf8'))), upstream.status);
    return new BytesResponse(bytes, { status: upstream.status, headers: { 'content-type': 'application/json', ...served } });
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
  return new RelayResponse(source, tap, { status: 200, headers: { ...STREAM_HEADERS, ...served } });
}

/** Tokens of a stream: the provider's own count, or — if it was cut short — what was delivered. */
function streamTokens(f: Served, outcome: StreamOutcome): TokenCounts {
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
function settleInBackground(f: Served, tokens: TokenCounts | null, status: number, code: string | null = null): void {
  void settlement(f, tokens, status, code, false);
}

/**
 * The same, for an answer the provider gave: the client's last bytes wait until the settlement
 * and its usage record are in Redis (one round trip, sent at the end of this turn). A process killed
 * right after answering would otherwise take both with it: a request answered, never billed or
 * recorded. Never rejects: if Redis fails now, the answer still goes out (the provider's work is
 * done) and the loss is logged.
 */
function settleBeforeAnswering(f: Served, tokens: TokenCounts | null, status: number, code: string | null = null): Promise<void> {
  return settlement(f, tokens, status, code, true);
}

function settlement(f: Served, tokens: TokenCounts | null, status: number, code: string | null, awaited: boolean): Promise<void> {
  const cost = tokens ? Math.min(requestCost(f.model, tokens), f.reservation.reserved) : 0;
  Object.assign(f.context.record, tokens ?? {}, { costMicros: cost, errorCode: code });
  const record = usageRecord(f.context, status);
  return settle(f.reservation, cost, queuedRecord(record), undefined, { awaited }).then(
    () => undefined,
    (error: unknown) => log.error({ err: error, requestId: f.context.requestId }, 'could not settle'),
  );
}
