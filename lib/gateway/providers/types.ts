import type { ApiError } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';

/**
 * What the gateway hands a provider, and what it gets back. Every provider speaks OpenAI's wire
 * format outward: a JSON body, or an SSE stream of OpenAI chunks that — because the gateway
 * always asks for it — ends with a usage chunk (`choices: []`, `usage: {...}`) before
 * `data: [DONE]`. The gateway reads usage from that shape alone, whatever the provider.
 */
export interface ProviderRequest {
  operation: Operation;
  /** The provider's own model id (from the catalog), already substituted into `body.model`. */
  upstreamModel: string;
  /** The client's validated OpenAI-shaped body; max_tokens already capped by the budget. */
  body: Record<string, unknown>;
  stream: boolean;
  /** The model id the client asked for (responses report it, not the provider's own id). */
  requestedModel?: string;
  /** Aborted when the client goes away or the gateway's timeout fires. */
  signal: AbortSignal;
}

export interface Provider {
  readonly name: string;
  /**
   * Sends the request upstream. Resolves to an OpenAI-shaped Response: 2xx JSON or SSE, or a
   * non-2xx with an OpenAI-shaped error body `{"error":{"message","type","param","code"}}`.
   * Rejects only for transport failures (connection refused, timeout, abort) — the gateway
   * maps those to 502 / 504.
   */
  send(request: ProviderRequest): Promise<Response>;
  /**
   * What `send` would refuse before calling anyone (a request its translation cannot carry), or
   * null. The gateway asks before admission when the request lists fallback models, so a model
   * that could never take it is refused up front instead of ending the chain of attempts.
   */
  refusal?(request: Pick<ProviderRequest, 'operation' | 'upstreamModel' | 'body' | 'stream'>): ApiError | null;
}
