import 'server-only';
import { z } from 'zod';
import { ApiError } from '@/lib/errors';
import {
  type AnthropicUsage,
  anthropicUsageSchema,
  chatCompletionId,
  type CompletionContext,
  type FinishReason,
  fromAnthropicError,
  openAIErrorBody,
  safeJson,
  toFinishReason,
  toOpenAIUsage,
} from './anthropic-response';

/**
 * Anthropic's SSE stream → OpenAI `chat.completion.chunk` SSE, event by event: each chunk is
 * written as soon as its source event is complete, nothing is held back. The stream ends with
 * a finish chunk, the usage chunk and `data: [DONE]` — or, on an upstream `error` event, with
 * `data: {"error": …}` and no [DONE], which OpenAI's SDKs surface as an APIError.
 */

export interface SseMessage {
  event: string;
  data: string;
}

/** An incremental SSE parser (WHATWG rules): feed it text in any slices, get whole events. */
export function createSseParser() {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  const line = (text: string, out: SseMessage[]) => {
    if (text === '') {
      if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n') });
      [event, data] = ['', []];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + (text[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };
  return {
    push(text: string): SseMessage[] {
      buffer += text;
      const out: SseMessage[] = [];
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const char = buffer[i];
        if (char !== '\n' && char !== '\r') continue;
        // A trailing \r may be the first half of \r\n: wait for the next slice.
        if (char === '\r' && i === buffer.length - 1) break;
        line(buffer.slice(start, i), out);
        if (char === '\r' && buffer[i + 1] === '\n') i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      return out;
    },
  };
}

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string(), usage: anthropicUsageSchema.nullish() }) }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number().int(),
    content_block: z.object({ type: z.string(), id: z.string().optional(), name: z.string().optional(), text: z.string().optional() }),
  }),
  z.object({
    type: z.literal('content_block_delta'),
    index: z.number().int(),
    delta: z.object({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }),
  }),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullish() }), usage: anthropicUsageSchema.nullish() }),
  z.object({ type: z.literal('content_block_stop'), index: z.number().int() }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }) }),
]);
const translated = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'error']);

const frame = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

/** Turns Anthropic events into OpenAI SSE frames; `done` once the stream must end. */
export function createStreamTranslator(context: CompletionContext) {
  let id = chatCompletionId(`msg_${crypto.randomUUID()}`);
  let usage: AnthropicUsage = {};
  let finished = false;
  let done = false;
  // Anthropic numbers content blocks; OpenAI numbers tool calls. Block index → tool call index.
  const toolIndex = new Map<number, number>();
  // The JSON-mode tool's block, whose input is the answer's text.
  let jsonBlock: { index: number; emitted: boolean } | undefined;
  const chunk = (delta: object, finishReason: FinishReason | null = null) =>
    frame({ id, object: 'chat.completion.chunk', created: context.created, model: context.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  const fail = (error: ApiError) => {
    done = true;
    return [frame(openAIErrorBody(error))];
  };
  const protocolError = () => fail(new ApiError(502, 'upstream_error', 'Anthropic sent a stream event that could not be read.', { type: 'api_error' }));

  function handle({ event, data }: SseMessage): string[] {
    if (done) return [];
    const json = safeJson(data) as { type?: unknown } | undefined;
    const type = typeof json?.type === 'string' ? json.type : event;
    // ping and event types added later carry nothing to translate.
    if (!translated.has(type)) return [];
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) return protocolError();
    const message = parsed.data;
    switch (message.type) {
      case 'message_start':
        id = chatCompletionId(message.message.id);
        usage = message.message.usage ?? {};
        return [chunk({ role: 'assistant', content: '' })];
      case 'content_block_start': {
        const block = message.content_block;
        // JSON mode: only the forced tool's input is content; text beside it would break the JSON.
        if (block.type === 'text') return block.text && !context.jsonTool ? [chunk({ content: block.text })] : [];
        if (block.type !== 'tool_use') return [];
        // JSON mode: the forced tool's input streams as content (see content_block_delta); one
        // block only, as the request asks (a second would make the content two objects).
        if (block.name === context.jsonTool) {
          if (jsonBlock === undefined) jsonBlock = { index: message.index, emitted: false };
          return [];
        }
        const index = toolIndex.size;
        toolIndex.set(message.index, index);
        return [chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] })];
      }
      case 'content_block_delta': {
        const { delta } = message;
        if (delta.type === 'text_delta' && delta.text) return context.jsonTool ? [] : [chunk({ content: delta.text })];
        if (delta.type === 'input_json_delta' && jsonBlock?.index === message.index) {
          if (!delta.partial_json) return [];
          jsonBlock.emitted = true;
          return [chunk({ content: delta.partial_json })];
        }
        if (context.jsonTool && delta.type === 'input_json_delta') return [];
        const index = toolIndex.get(message.index);
        if (delta.type === 'input_json_delta' && delta.partial_json && index !== undefined) {
          return [chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
        }
        return [];
      }
      case 'content_block_stop':
        // An empty input streams no delta at all; the answer is still an object.
        if (jsonBlock?.index === message.index && !jsonBlock.emitted) return (jsonBlock.emitted = true), [chunk({ content: '{}' })];
        return [];
      case 'message_delta':
        // message_delta's usage is cumulative; fields it leaves null keep message_start's values.
        for (const [field, value] of Object.entries(message.usage ?? {})) if (value != null) usage = { ...usage, [field]: value };
        finished = true;
        return [chunk({}, toFinishReason(message.delta.stop_reason, context))];
      case 'message_stop':
        done = true;
        return [
          ...(finished ? [] : [chunk({}, 'stop')]),
          frame({ id, object: 'chat.completion.chunk', created: context.created, model: context.model, choices: [], usage: toOpenAIUsage(usage) }),
          'data: [DONE]\n\n',
        ];
      case 'error':
        return fail(fromAnthropicError(502, message.error));
    }
  }

  return {
    handle,
    /** The upstream body ended: without message_stop, the client must not mistake it for complete. */
    end: (): string[] => (done ? [] : fail(new ApiError(502, 'upstream_error', 'The upstream stream ended before the response was complete.', { type: 'api_error' }))),
    get done() {
      return done;
    },
  };
}

/** The whole translation as a TransformStream over the upstream body's bytes. */
export function anthropicToOpenAIStream(context: CompletionContext): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const parser = createSseParser();
  const translator = createStreamTranslator(context);
  return new TransformStream({
    transform(bytes, controller) {
      for (const message of parser.push(decoder.decode(bytes, { stream: true }))) {
        for (const out of translator.handle(message)) controller.enqueue(encoder.encode(out));
        // Stop reading: after [DONE] or an error nothing upstream may reach the client.
        if (translator.done) return controller.terminate();
      }
    },
    flush(controller) {
      for (const message of parser.push(decoder.decode())) for (const out of translator.handle(message)) controller.enqueue(encoder.encode(out));
      for (const out of translator.end()) controller.enqueue(encoder.encode(out));
    },
  });
}
