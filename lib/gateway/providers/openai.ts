import 'server-only';
import { z } from 'zod';
import { env } from '@/lib/env';
import { ApiError, errorResponse } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import { fetchUpstream, refuseEncodedAnswer } from '../upstream';
import type { Provider } from './types';

/**
 * OpenAI itself (or any OpenAI-compatible upstream at OPENAI_BASE_URL): the request goes out as
 * the client wrote it, the response comes back as OpenAI wrote it. Two adjustments only:
 * chat and completion streams always ask for the usage chunk (metering depends on it; Responses
 * API streams report it anyway), and an error body that is
 * not OpenAI-shaped (a proxy's HTML page, say) is replaced by one that is.
 */

export interface OpenAIConfig {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

const paths: Record<Operation, string> = { chat: 'chat/completions', completions: 'completions', embeddings: 'embeddings', responses: 'responses' };

export const openAIErrorSchema = z.object({ error: z.object({ message: z.string() }) });

const configFromEnv = (): OpenAIConfig => ({ baseUrl: env().OPENAI_BASE_URL, apiKey: env().OPENAI_API_KEY, timeoutMs: env().UPSTREAM_TIMEOUT_MS });

/** Without `config`, reads OPENAI_* and UPSTREAM_TIMEOUT_MS from env() on each call. */
export function openAIProvider(config?: OpenAIConfig): Provider {
  return {
    name: 'openai',
    async send(request) {
      const { baseUrl, apiKey, timeoutMs } = config ?? configFromEnv();
      if (!apiKey) return errorResponse(new ApiError(503, 'provider_not_configured', 'OpenAI models are not available on this server.', { type: 'api_error' }));
      // The Responses API always ends a stream with its usage (response.completed), and has no include_usage.
      const body =
        request.stream && request.operation !== 'responses'
          ? { ...request.body, stream: true, stream_options: { ...asObject(request.body.stream_options), include_usage: true } }
          : request.body;
      const upstream = await fetchUpstream(`${baseUrl.replace(/\/+$/, '')}/${paths[request.operation]}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: request.stream ? 'text/event-stream' : 'application/json' },
        body: JSON.stringify(body),
        timeoutMs,
        redirects: 'refuse',
        guarded: false,
        upstream: 'openai',
        signal: request.signal,
      });
      // Only content-type goes back: OpenAI's org and rate-limit headers are ours alone.
      const headers = { 'content-type': upstream.header('content-type') ?? 'application/json' };
      if (upstream.ok) return refuseEncodedAnswer(upstream, 'OpenAI') ?? upstream.withHeaders(headers);
      return upstreamError(upstream.status, await upstream.text(), headers);
    },
  };
}

function upstreamError(status: number, text: string, headers: HeadersInit): Response {
  // A redirect is no answer (redirects are never followed); report it as a bad gateway.
  const outStatus = status >= 400 ? status : 502;
  if (openAIErrorSchema.safeParse(safeJson(text)).success) return new Response(text, { status: outStatus, headers });
  return errorResponse(new ApiError(outStatus, 'upstream_error', `OpenAI answered HTTP ${status} without an error description.`, { type: 'api_error' }));
}

const asObject = (value: unknown) => (typeof value === 'object' && value !== null ? value : {});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
