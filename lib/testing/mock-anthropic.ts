import type { ServerResponse } from 'node:http';
import {
  applyBehaviour,
  charTokens,
  delayPicker,
  type MockBehaviour,
  type MockServer,
  sendJson,
  type SseEvent,
  startMockServer,
  streamSse,
  words,
} from './mock-server';

/**
 * A stand-in for api.anthropic.com on a local port: POST /v1/messages, plain and streamed, in
 * Anthropic's real event format. Replies echo the last user message ("Echo: …", one word per
 * token); when tools are offered and the user says "use the tool" (or tool_choice forces it)
 * the reply is a tool_use block instead. Stop sequences and max_tokens are honoured.
 */

export type MockAnthropicBehaviour =
  | MockBehaviour
  /** Streams only: after this many events, send an Anthropic `error` event and end. */
  | { type: 'error-event'; afterEvents: number; error?: { type: string; message: string } };

export interface MockAnthropicOptions {
  /** The only key accepted. Default `sk-ant-mock`. */
  apiKey?: string;
  /**
   * Accept the key only in `x-api-key`. By default `Authorization: Bearer <key>` works too,
   * because that is what the official SDK (1.14) sends; the gateway's provider must use
   * x-api-key, and its tests set this to prove it.
   */
  strictApiKeyHeader?: boolean;
  /** Pause between streamed events: fixed ms or a [min, max] range. Default [0, 5]. */
  chunkDelayMs?: number | [number, number];
  /** Prompt-cache tokens to report on top of what `cache_control` breakpoints cache (promptCache). Default none. */
  cache?: { readTokens?: number; creationTokens?: number };
  behaviour?: MockAnthropicBehaviour;
}

export interface MockAnthropic extends MockServer<MockAnthropicBehaviour> {
  apiKey: string;
}

type Block = { type: string; text?: string; content?: unknown; input?: unknown; [key: string]: unknown };
interface Message {
  role: string;
  content: string | Block[];
}
interface Tool {
  name: string;
  input_schema?: { properties?: Record<string, { type?: string }> };
}
interface Body {
  model: string;
  max_tokens: number;
  messages: Message[];
  system?: string | Block[];
  stop_sequences?: string[];
  tools?: Tool[];
  tool_choice?: { type: string; name?: string };
  stream?: boolean;
}

export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const apiKey = options.apiKey ?? 'sk-ant-mock';
  const delayMs = delayPicker(options.chunkDelayMs ?? [0, 5]);
  let counter = 0;
  const cachedPrefixes = new Set<string>();
  const server = await startMockServer<MockAnthropicBehaviour>(options.behaviour ?? { type: 'normal' }, async ({ request, res, behaviour }) => {
    if (await applyBehaviour(res, behaviour)) return;
    const bearer = !options.strictApiKeyHeader && request.headers.authorization === `Bearer ${apiKey}`;
    if (request.headers['x-api-key'] !== apiKey && !bearer) return error(res, 401, 'authentication_error', 'invalid x-api-key');
    if (!request.headers['anthropic-version']) return error(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    if (request.method !== 'POST' || request.path.split('?')[0] !== '/v1/messages') return error(res, 404, 'not_found_error', 'Not found');
    const body = request.body as Partial<Body> | undefined;
    const problem = invalid(body);
    if (problem) return error(res, 400, 'invalid_request_error', problem);
    const message = answer(body as Body, String(++counter), options.cache ?? {}, cachedPrefixes);
    if (!body?.stream) return sendJson(res, 200, message);
    let events = streamEvents(message);
    if (behaviour.type === 'error-event') {
      const fault = behaviour.error ?? { type: 'overloaded_error', message: 'Overloaded' };
      events = [...events.slice(0, behaviour.afterEvents), { event: 'error', data: JSON.stringify({ type: 'error', error: fault }) }];
    }
    const dropAfter = behaviour.type === 'drop-mid-stream' ? behaviour.afterEvents : undefined;
    await streamSse(res, events, { delayMs, dropAfter });
  });
  return { ...server, apiKey };
}

function error(res: ServerResponse, status: number, type: string, message: string) {
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: 'req_mock' });
}

function invalid(body: Partial<Body> | undefined): string | undefined {
  if (typeof body !== 'object' || body === null) return 'The request body is not valid JSON.';
  if (typeof body.model !== 'string') return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens ?? 0) < 1) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  return undefined;
}

/** Every character the model "reads" in a block list, for the input token count. */
function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[])
    .map((block) => {
      if (block.type === 'text') return block.text ?? '';
      if (block.type === 'tool_result') return blockText(block.content);
      if (block.type === 'tool_use') return JSON.stringify(block.input);
      return '';
    })
    .join('');
}

/** What the user said last: its text blocks, or else its tool results. */
function lastUserText(messages: Message[]): string {
  const last = messages.findLast((message) => message.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  const text = last.content.filter((block) => block.type === 'text').map((block) => block.text ?? '');
  return text.length > 0 ? text.join(' ') : blockText(last.content);
}

/**
 * Anthropic's prompt cache, in small: the blocks up to the last one marked `cache_control` (system
 * first, then the messages') are the cached prefix. The first request with a prefix writes it
 * (cache_creation_input_tokens), later ones read it (cache_read_input_tokens); input_tokens is
 * what follows the prefix. The cache is per mock server and never expires.
 */
function promptCache(body: Body, cached: Set<string>): { prefixTokens: number; hit: boolean } {
  const blocks = [...(Array.isArray(body.system) ? body.system : []), ...body.messages.flatMap((message) => (Array.isArray(message.content) ? message.content : []))];
  const last = blocks.findLastIndex((block) => block.cache_control !== undefined);
  if (last < 0) return { prefixTokens: 0, hit: false };
  const prefix = blocks.slice(0, last + 1);
  const key = JSON.stringify(prefix);
  const hit = cached.has(key);
  cached.add(key);
  return { prefixTokens: charTokens(blockText(prefix)), hit };
}

function answer(body: Body, id: string, cache: NonNullable<MockAnthropicOptions['cache']>, cached: Set<string>) {
  const prompt = lastUserText(body.messages);
  const allTokens = charTokens(blockText(body.system) + body.messages.map((message) => blockText(message.content)).join('')) + 3 * body.messages.length;
  const { prefixTokens, hit } = promptCache(body, cached);
  const inputTokens = allTokens - prefixTokens;
  const reply = wantsTool(body, prompt) ? toolReply(body, prompt, id) : textReply(body, prompt);
  return {
    id: `msg_mock${id}`,
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: {
      input_tokens: inputTokens,
      cache_creation_input_tokens: (cache.creationTokens ?? 0) + (hit ? 0 : prefixTokens),
      cache_read_input_tokens: (cache.readTokens ?? 0) + (hit ? prefixTokens : 0),
      output_tokens: reply.outputTokens,
      service_tier: 'standard',
    },
  };
}

type Reply = { content: Block[]; stopReason: string; stopSequence: string | null; outputTokens: number };

function wantsTool(body: Body, prompt: string): boolean {
  if (!body.tools?.length || body.tool_choice?.type === 'none') return false;
  return body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool' || prompt.toLowerCase().includes('use the tool');
}

function toolReply(body: Body, prompt: string, id: string): Reply {
  const tool = body.tools!.find((candidate) => candidate.name === body.tool_choice?.name) ?? body.tools![0]!;
  // Arguments shaped by the tool's schema, filled deterministically.
  const sample: Record<string, unknown> = { string: prompt, number: 42, integer: 42, boolean: true, array: [], object: {} };
  const input = Object.fromEntries(Object.entries(tool.input_schema?.properties ?? {}).map(([name, schema]) => [name, sample[schema.type ?? ''] ?? null]));
  // With a tool forced (tool_choice any or tool), Anthropic prefills the turn: no text before the call.
  const forced = body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
  const text = forced ? '' : `Using ${tool.name}.`;
  return {
    content: [...(forced ? [] : [{ type: 'text', text }]), { type: 'tool_use', id: `toolu_mock${id}`, name: tool.name, input }],
    stopReason: 'tool_use',
    stopSequence: null,
    outputTokens: words(text).length + charTokens(JSON.stringify(input)),
  };
}

function textReply(body: Body, prompt: string): Reply {
  let text = `Echo: ${prompt}`;
  let stopSequence: string | null = null;
  // The earliest occurrence of any stop sequence ends the text.
  let cut = text.length;
  for (const sequence of body.stop_sequences ?? []) {
    const at = text.indexOf(sequence);
    if (at >= 0 && at < cut) [cut, stopSequence] = [at, sequence];
  }
  text = text.slice(0, cut);
  const all = words(text);
  const kept = all.slice(0, body.max_tokens);
  const stopReason = kept.length < all.length ? 'max_tokens' : stopSequence ? 'stop_sequence' : 'end_turn';
  return { content: [{ type: 'text', text: kept.join(' ') }], stopReason, stopSequence: stopReason === 'stop_sequence' ? stopSequence : null, outputTokens: kept.length };
}

/** The message as Anthropic streams it: one word per text delta, JSON in 8-character pieces. */
function streamEvents(message: ReturnType<typeof answer>): SseEvent[] {
  const event = (data: { type: string; [key: string]: unknown }): SseEvent => ({ event: data.type, data: JSON.stringify(data) });
  const start = { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } };
  const events = [event({ type: 'message_start', message: start })];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      words(block.text ?? '').forEach((word, n) => events.push(event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: n === 0 ? word : ` ${word}` } })));
    } else {
      events.push(event({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
      const json = JSON.stringify(block.input);
      // Anthropic opens a tool's input with an empty fragment.
      const pieces = ['', ...(json.match(/[\s\S]{1,8}/g) ?? [])];
      pieces.forEach((partial_json) => events.push(event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })));
    }
    events.push(event({ type: 'content_block_stop', index }));
    if (index === 0) events.push(event({ type: 'ping' }));
  });
  events.push(event({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: { output_tokens: message.usage.output_tokens } }));
  events.push(event({ type: 'message_stop' }));
  return events;
}
