import 'server-only';
import { z } from 'zod';
import { ApiError, type ErrorType, errorResponse } from '@/lib/errors';

/**
 * Anthropic Messages response → OpenAI chat completion, plus the pieces the stream translator
 * shares: usage, finish reasons, ids and errors. Upstream JSON is parsed with zod like any
 * other input; block types we do not translate (thinking, server tools) are skipped.
 */

export const anthropicUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens: z.number().int().nonnegative().nullish(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const otherBlock = z.object({ type: z.string() });

export const anthropicMessageSchema = z.object({
  id: z.string(),
  content: z.array(z.union([textBlock, toolUseBlock, otherBlock])),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema,
});
export type AnthropicMessageResponse = z.infer<typeof anthropicMessageSchema>;

export const anthropicErrorSchema = z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }) });

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

const finishReasons: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** In JSON mode Anthropic stops for the forced tool; to the client the answer simply ended. */
export const toFinishReason = (stopReason: string | null | undefined, context?: Pick<CompletionContext, 'jsonTool'>): FinishReason =>
  context?.jsonTool && stopReason === 'tool_use' ? 'stop' : (finishReasons[stopReason ?? ''] ?? 'stop');

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic reports them apart. */
export function toOpenAIUsage(usage: AnthropicUsage) {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0);
  const completionTokens = usage.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    // Written tokens under OpenRouter's name: billed at the model's cache-write price (cost.ts).
    prompt_tokens_details: { cached_tokens: cacheRead, cache_write_tokens: usage.cache_creation_input_tokens ?? 0 },
  };
}

export const chatCompletionId = (messageId: string) => `chatcmpl-${messageId.replace(/^msg_/, '')}`;

export interface CompletionContext {
  /** The model id the client asked for, reported back instead of Anthropic's. */
  model: string;
  /** Epoch seconds. */
  created: number;
  /** JSON mode: this forced tool's input is the answer's content (anthropic-request.ts, JSON_MODE_TOOL). */
  jsonTool?: string;
}

export function toOpenAICompletion(message: AnthropicMessageResponse, context: CompletionContext) {
  const text = message.content.flatMap((block) => {
    const parsed = textBlock.safeParse(block);
    return parsed.success ? [parsed.data.text] : [];
  });
  let json: string | undefined;
  const toolCalls = message.content.flatMap((block) => {
    const parsed = toolUseBlock.safeParse(block);
    if (!parsed.success) return [];
    const { id, name, input } = parsed.data;
    // JSON mode: the forced tool's (first) input is the content — alone: any text beside it is not JSON.
    if (name === context.jsonTool) {
      if (!json) text.splice(0, text.length, (json = JSON.stringify(input ?? {})));
      return [];
    }
    return [{ id, type: 'function' as const, function: { name, arguments: JSON.stringify(input ?? {}) } }];
  });
  const content = text.join('');
  return {
    id: chatCompletionId(message.id),
    object: 'chat.completion' as const,
    created: context.created,
    model: context.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          // OpenAI sends null content, not "", when the turn is only tool calls.
          content: content === '' && toolCalls.length > 0 ? null : content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toFinishReason(message.stop_reason, context),
      },
    ],
    usage: toOpenAIUsage(message.usage),
  };
}

const errorTypes: Record<string, ErrorType> = {
  invalid_request_error: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'authorization_error',
  not_found_error: 'not_found_error',
  rate_limit_error: 'rate_limit_error',
};

/** Anthropic's `{type, message}` error as an ApiError; the code keeps Anthropic's type. */
export function fromAnthropicError(status: number, error: { type: string; message: string }): ApiError {
  return new ApiError(status, error.type, error.message, { type: errorTypes[error.type] ?? 'api_error' });
}

/** The body an SSE error event carries, in OpenAI's shape. */
export function openAIErrorBody(error: ApiError) {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

/** A non-2xx answer from Anthropic as an OpenAI-shaped error with the same status. */
export function anthropicErrorResponse(status: number, bodyText: string): Response {
  // A redirect is no answer (redirects are never followed); report it as a bad gateway.
  const outStatus = status >= 400 ? status : 502;
  const parsed = anthropicErrorSchema.safeParse(safeJson(bodyText));
  if (parsed.success) return errorResponse(fromAnthropicError(outStatus, parsed.data.error));
  return errorResponse(new ApiError(outStatus, 'upstream_error', `Anthropic answered HTTP ${status} without an error description.`, { type: 'api_error' }));
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
