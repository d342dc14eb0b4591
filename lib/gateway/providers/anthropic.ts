import 'server-only';
import { env } from '@/lib/env';
import { ApiError, errorResponse, toApiError } from '@/lib/errors';
import { fetchUpstream, refuseEncodedAnswer } from '../upstream';
import { JSON_MODE_TOOL, jsonModeRequested, toAnthropicRequest } from './anthropic-request';
import { anthropicErrorResponse, anthropicMessageSchema, safeJson, toOpenAICompletion } from './anthropic-response';
import { anthropicToOpenAIStream } from './anthropic-stream';
import type { Provider, ProviderRequest } from './types';

/**
 * Claude behind the OpenAI-compatible gateway: chat completions are translated to the
 * Messages API and back (anthropic-request/-response/-stream.ts). Anthropic has no completions
 * or embeddings endpoint, so those operations are refused with a 400.
 */

export interface AnthropicConfig {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

export interface AnthropicProviderRequest extends ProviderRequest {
  /**
   * The model id the client asked for. Responses report it instead of Anthropic's own id, so
   * the catalog's upstream naming never leaks; defaults to `upstreamModel`.
   */
  requestedModel?: string;
}

export const ANTHROPIC_VERSION = '2023-06-01';

const unsupportedOperation = (operation: string) =>
  new ApiError(400, 'unsupported_operation', `Anthropic models do not support the ${operation} endpoint; use /v1/chat/completions.`, { param: 'model' });

const configFromEnv = (): AnthropicConfig => ({ baseUrl: env().ANTHROPIC_BASE_URL, apiKey: env().ANTHROPIC_API_KEY, timeoutMs: env().UPSTREAM_TIMEOUT_MS });

/** Without `config`, reads ANTHROPIC_* and UPSTREAM_TIMEOUT_MS from env() on each call. */
export function anthropicProvider(config?: AnthropicConfig): Provider & { send(request: AnthropicProviderRequest): Promise<Response> } {
  return {
    name: 'anthropic',
    refusal(request) {
      if (request.operation !== 'chat') return unsupportedOperation(request.operation);
      try {
        toAnthropicRequest(request.body, { model: request.upstreamModel, stream: request.stream });
        return null;
      } catch (error) {
        return toApiError(error);
      }
    },
    async send(request: AnthropicProviderRequest) {
      if (request.operation !== 'chat') return errorResponse(unsupportedOperation(request.operation));
      const { baseUrl, apiKey, timeoutMs } = config ?? configFromEnv();
      if (!apiKey) return errorResponse(new ApiError(503, 'provider_not_configured', 'Anthropic models are not available on this server.', { type: 'api_error' }));
      let payload;
      try {
        payload = toAnthropicRequest(request.body, { model: request.upstreamModel, stream: request.stream });
      } catch (error) {
        return errorResponse(error);
      }
      const upstream = await fetchUpstream(`${baseUrl.replace(/\/+$/, '')}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        timeoutMs,
        redirects: 'refuse',
        guarded: false,
        upstream: 'anthropic',
        signal: request.signal,
      });
      if (!upstream.ok) return anthropicErrorResponse(upstream.status, await upstream.text());
      const refused = refuseEncodedAnswer(upstream, 'Anthropic');
      if (refused) return refused;
      // From the client's response_format, never from the tool's name (a client may name a tool so too).
      const jsonTool = jsonModeRequested(request.body) ? JSON_MODE_TOOL : undefined;
      const context = { model: request.requestedModel ?? request.upstreamModel, created: Math.floor(Date.now() / 1000), jsonTool };
      if (request.stream && upstream.body) {
        return new Response(upstream.body.pipeThrough(anthropicToOpenAIStream(context)), {
          status: 200,
          headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
        });
      }
      const message = anthropicMessageSchema.safeParse(safeJson(await upstream.text()));
      if (!message.success) return errorResponse(new ApiError(502, 'upstream_error', 'Anthropic returned a response that could not be read.', { type: 'api_error' }));
      return Response.json(toOpenAICompletion(message.data, context));
    },
  };
}
