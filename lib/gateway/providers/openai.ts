import 'server-only';
import { z } from 'zod';
import { env } from '@/lib/env';
import { ApiError, errorResponse } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import { fetchUpstream, refuseEncodedAnswer } from '../upstream';
import type { Provider } from './types';

/**
 * OpenAI itself, and the providers that speak its API (Gemini, Mistral, Groq, DeepSeek:
 * compatible.ts): the request goes out as the client wrote it, the response comes back as the
 * provider wrote it. Two adjustments only: chat and completion streams ask for the usage chunk
 * where the provider takes `stream_options` (metering depends on it; a provider that reports usage
 * at the end of every stream is not sent an option it may refuse, and Responses API streams report
 * it anyway), and an error body that is not OpenAI-shaped (a proxy's HTML page, say) is replaced
 * by one that is.
 */

export interface OpenAIConfig {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
}

export interface CompatibleProfile {
  name: 'openai' | 'gemini' | 'mistral' | 'groq' | 'deepseek';
  label: string;
  /** 'ask': streams carry usage when asked (stream_options.include_usage); 'always': they end with it unasked. */
  streamUsage: 'ask' | 'always';
  config: () => OpenAIConfig;
}

const paths: Record<Operation, string> = { chat: 'chat/completions', completions: 'completions', embeddings: 'embeddings', responses: 'responses' };

export const openAIErrorSchema = z.object({ error: z.object({ message: z.string() }) });

const OPENAI: CompatibleProfile = {
  name: 'openai',
  label: 'OpenAI',
  streamUsage: 'ask',
  config: () => ({ baseUrl: env().OPENAI_BASE_URL, apiKey: env().OPENAI_API_KEY, timeoutMs: env().UPSTREAM_TIMEOUT_MS }),
};

/** Without `config`, reads OPENAI_* and UPSTREAM_TIMEOUT_MS from env() on each call. */
export function openAIProvider(config?: OpenAIConfig): Provider {
  return compatibleProvider(config ? { ...OPENAI, config: () => config } : OPENAI);
}

/** A provider speaking OpenAI's API, configured by its profile (read on each call). */
export function compatibleProvider(profile: CompatibleProfile): Provider {
  return {
    name: profile.name,
    async send(request) {
      const { baseUrl, apiKey, timeoutMs } = profile.config();
      if (!apiKey) {
        return errorResponse(new ApiError(503, 'provider_not_configured', `${profile.label} models are not available on this server.`, { type: 'api_error' }));
      }
      const body = upstreamBody(profile, request.operation, request.stream, request.body);
      const upstream = await fetchUpstream(`${baseUrl.replace(/\/+$/, '')}/${paths[request.operation]}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: request.stream ? 'text/event-stream' : 'application/json' },
        body: JSON.stringify(body),
        timeoutMs,
        redirects: 'refuse',
        guarded: false,
        upstream: profile.name,
        signal: request.signal,
      });
      // Only content-type goes back: OpenAI's org and rate-limit headers are ours alone.
      const headers = { 'content-type': upstream.header('content-type') ?? 'application/json' };
      if (upstream.ok) return refuseEncodedAnswer(upstream, profile.label) ?? upstream.withHeaders(headers);
      return upstreamError(profile.label, upstream.status, await upstream.text(), headers);
    },
  };
}

function upstreamBody(profile: CompatibleProfile, operation: Operation, stream: boolean, body: Record<string, unknown>): Record<string, unknown> {
  // The Responses API always ends a stream with its usage (response.completed), and has no include_usage.
  if (!stream || operation === 'responses') return body;
  if (profile.streamUsage === 'ask') return { ...body, stream: true, stream_options: { ...asObject(body.stream_options), include_usage: true } };
  // The provider reports usage at the end unasked; an option it does not know could be refused.
  const rest: Record<string, unknown> = { ...body, stream: true };
  delete rest.stream_options;
  return rest;
}

function upstreamError(label: string, status: number, text: string, headers: HeadersInit): Response {
  // A redirect is no answer (redirects are never followed); report it as a bad gateway.
  const outStatus = status >= 400 ? status : 502;
  if (openAIErrorSchema.safeParse(safeJson(text)).success) return new Response(text, { status: outStatus, headers });
  return errorResponse(new ApiError(outStatus, 'upstream_error', `${label} answered HTTP ${status} without an error description.`, { type: 'api_error' }));
}

const asObject = (value: unknown) => (typeof value === 'object' && value !== null ? value : {});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
