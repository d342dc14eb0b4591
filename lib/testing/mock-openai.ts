import type { ServerResponse } from 'node:http';
import {
  applyBehaviour,
  charTokens,
  delayPicker,
  type MockBehaviour,
  type MockServer,
  type RecordedRequest,
  sendJson,
  type SseEvent,
  startMockServer,
  streamSse,
  words,
} from './mock-server';

/**
 * A stand-in for api.openai.com/v1 on a local port: chat completions, completions, embeddings,
 * responses and models in OpenAI's wire format, with deterministic text and token counts so tests can
 * assert exact usage. Replies echo the last user message ("Echo: …"), one word per token.
 */

export interface MockOpenAIOptions {
  /** The only key accepted as `Authorization: Bearer <key>`. Default `sk-mock-openai`. */
  apiKey?: string;
  /** Pause between streamed chunks: fixed ms, a [min, max] range, or a function. Default [0, 5]. */
  chunkDelayMs?: number | [number, number] | (() => number);
  /** Awaited before each stream's last event: a test holds streams open while it looks at the client. */
  beforeStreamEnd?: () => Promise<void>;
  /** Ids listed by GET /v1/models. */
  models?: string[];
  behaviour?: MockBehaviour;
  /** Keep every request in `requests` (default true); the benchmark turns it off. */
  record?: boolean;
  /** A fixed port (default: any free one). */
  port?: number;
  /**
   * How chat streams report usage, as the OpenAI-compatible providers do: 'openai' (a usage chunk
   * when include_usage is asked for; the default), 'mistral' (in the last chunk, unasked), 'groq'
   * (under x_groq in the last chunk), 'deepseek' (as OpenAI, cache hits as prompt_cache_hit_tokens).
   */
  usageStyle?: UsageStyle;
}

export type UsageStyle = 'openai' | 'mistral' | 'groq' | 'deepseek';

export interface MockOpenAI extends MockServer {
  apiKey: string;
}

type Body = Record<string, unknown>;
interface Route {
  (body: Body, context: Context): void | Promise<void>;
}
interface Context {
  res: ServerResponse;
  id: string;
  behaviour: MockBehaviour;
  delayMs: () => number;
  beforeStreamEnd?: () => Promise<void>;
  usageStyle: UsageStyle;
}

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-3.5-turbo-instruct', 'text-embedding-3-small'];

export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAI> {
  const apiKey = options.apiKey ?? 'sk-mock-openai';
  const delayMs = delayPicker(options.chunkDelayMs ?? [0, 5]);
  const models = options.models ?? DEFAULT_MODELS;
  let counter = 0;
  const routes: Record<string, Route> = {
    'POST /v1/chat/completions': chatCompletions,
    'POST /v1/completions': completions,
    'POST /v1/embeddings': embeddings,
    'POST /v1/responses': responses,
    'GET /v1/models': (_body, { res }) =>
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'mock' })) }),
  };
  const server = await startMockServer<MockBehaviour>(options.behaviour ?? { type: 'normal' }, async ({ request, res, behaviour }) => {
    if (await applyBehaviour(res, behaviour)) return;
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    const route = routes[`${request.method} ${request.path.split('?')[0]}`];
    if (!route) return error(res, 404, `Unknown request URL: ${request.method} ${request.path}.`, 'invalid_request_error', 'unknown_url');
    const body = validBody(request, res);
    if (body) await route(body, { res, id: String(++counter), behaviour, delayMs, beforeStreamEnd: options.beforeStreamEnd, usageStyle: options.usageStyle ?? 'openai' });
  }, { record: options.record, port: options.port });
  return { ...server, apiKey };
}

function error(res: ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null) {
  sendJson(res, status, { error: { message, type, param, code } });
}

function validBody(request: RecordedRequest, res: ServerResponse): Body | undefined {
  if (request.method === 'GET') return {};
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
    return undefined;
  }
  if (typeof (body as Body).model !== 'string') {
    error(res, 400, 'you must provide a model parameter', 'invalid_request_error', null, 'model');
    return undefined;
  }
  return body as Body;
}

/** The text of a message's content: a string, or the text parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { type?: string; text?: unknown }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** The deterministic reply: "Echo: <prompt>" cut to `maxTokens` words. */
function reply(prompt: string, maxTokens: number) {
  const all = words(`Echo: ${prompt}`);
  const kept = all.slice(0, Math.max(0, maxTokens));
  return { words: kept, text: kept.join(' '), finishReason: kept.length < all.length ? 'length' : 'stop' };
}

const maxTokensOf = (body: Body) => Number(body.max_completion_tokens ?? body.max_tokens ?? 16);
const includeUsage = (body: Body) => (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
const now = () => Math.floor(Date.now() / 1000);
const usageOf = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});

/** DeepSeek's usage: cache hits and misses of its own (half the prompt a hit, here), no prompt_tokens_details. */
const deepseekUsage = (prompt: number, completion: number) => {
  const hit = Math.floor(prompt / 2);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_cache_hit_tokens: hit, prompt_cache_miss_tokens: prompt - hit };
};

async function chatCompletions(body: Body, context: Context) {
  const { res, id } = context;
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return error(res, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
  }
  const messages = body.messages as { role?: string; content?: unknown }[];
  const texts = messages.map((message) => contentText(message.content));
  const promptTokens = charTokens(texts.join('')) + 3 * messages.length;
  const lastUser = messages.findLast((message) => message.role === 'user');
  const answer = reply(contentText(lastUser?.content), maxTokensOf(body));
  const style = context.usageStyle;
  const usage = style === 'deepseek' ? deepseekUsage(promptTokens, answer.words.length) : usageOf(promptTokens, answer.words.length);
  const base = { id: `chatcmpl-mock${id}`, object: 'chat.completion', created: now(), model: body.model, system_fingerprint: 'fp_mock' };
  if (body.stream !== true) {
    const message = { role: 'assistant', content: answer.text, refusal: null, annotations: [] };
    return sendJson(res, 200, { ...base, choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }], usage, service_tier: 'default' });
  }
  if (style === 'mistral' || style === 'groq') {
    // Usage rides on the last chunk, whatever the request asked.
    const last = style === 'mistral' ? { usage } : { x_groq: { id: `req_mock${id}`, usage } };
    const chunk = (choices: unknown[], extra: object = {}) => JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra });
    const choice = (delta: object, finishReason: string | null = null) => ({ index: 0, delta, finish_reason: finishReason });
    const events: SseEvent[] = [
      { data: chunk([choice({ role: 'assistant', content: '' })]) },
      ...answer.words.map((word, index) => ({ data: chunk([choice({ content: index === 0 ? word : ` ${word}` })]) })),
      { data: chunk([choice({}, answer.finishReason)], last) },
      { data: '[DONE]' },
    ];
    return sse(res, events, context);
  }
  const withUsage = includeUsage(body);
  // With include_usage every chunk carries `usage: null` except the last, as OpenAI does.
  const chunk = (choices: unknown[], usageField: unknown = null) =>
    JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...(withUsage ? { usage: usageField } : {}) });
  const choice = (delta: object, finishReason: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });
  const events: SseEvent[] = [
    { data: chunk([choice({ role: 'assistant', content: '', refusal: null })]) },
    ...answer.words.map((word, index) => ({ data: chunk([choice({ content: index === 0 ? word : ` ${word}` })]) })),
    { data: chunk([choice({}, answer.finishReason)]) },
    ...(withUsage ? [{ data: chunk([], usage) }] : []),
    { data: '[DONE]' },
  ];
  await sse(res, events, context);
}

const dropAfter = (behaviour: MockBehaviour) => (behaviour.type === 'drop-mid-stream' ? behaviour.afterEvents : undefined);

/** Streams `events` with this mock's pacing, behaviour and hold (every streaming route). */
const sse = (res: ServerResponse, events: SseEvent[], context: Context) =>
  streamSse(res, events, { delayMs: context.delayMs, dropAfter: dropAfter(context.behaviour), beforeLast: context.beforeStreamEnd });

async function completions(body: Body, context: Context) {
  const { res, id } = context;
  const prompt = Array.isArray(body.prompt) ? body.prompt.join('\n') : String(body.prompt ?? '');
  const answer = reply(prompt, maxTokensOf(body));
  const usage = usageOf(charTokens(prompt), answer.words.length);
  const base = { id: `cmpl-mock${id}`, object: 'text_completion', created: now(), model: body.model };
  const choice = (text: string, finishReason: string | null) => ({ index: 0, text, logprobs: null, finish_reason: finishReason });
  if (body.stream !== true) return sendJson(res, 200, { ...base, choices: [choice(answer.text, answer.finishReason)], usage });
  const events: SseEvent[] = [
    ...answer.words.map((word, index) => ({ data: JSON.stringify({ ...base, choices: [choice(index === 0 ? word : ` ${word}`, null)] }) })),
    { data: JSON.stringify({ ...base, choices: [choice('', answer.finishReason)] }) },
    ...(includeUsage(body) ? [{ data: JSON.stringify({ ...base, choices: [], usage }) }] : []),
    { data: '[DONE]' },
  ];
  await sse(res, events, context);
}

/** The text of a Responses API input: a string, or the text parts of its message items. */
function responsesInputText(input: unknown): { all: string; last: string; items: number } {
  if (typeof input === 'string') return { all: input, last: input, items: 1 };
  const items = Array.isArray(input) ? (input as { role?: string; content?: unknown }[]) : [];
  const text = (content: unknown) =>
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((part: { type?: string; text?: unknown }) => (part?.type === 'input_text' && typeof part.text === 'string' ? part.text : '')).join('')
        : '';
  const lastUser = items.findLast((item) => item.role === 'user');
  return { all: items.map((item) => text(item.content)).join(''), last: text(lastUser?.content), items: items.length };
}

/**
 * POST /v1/responses, as OpenAI answers it: a response object with one output message, or the
 * typed event stream (response.created … response.output_text.delta … response.completed, whose
 * response carries the usage). Usage uses the Responses API's names (input_tokens, output_tokens).
 */
async function responses(body: Body, context: Context) {
  const { res, id } = context;
  if (body.input === undefined) return error(res, 400, "Missing required parameter: 'input'.", 'invalid_request_error', 'missing_required_parameter', 'input');
  const input = responsesInputText(body.input);
  const instructions = typeof body.instructions === 'string' ? body.instructions : '';
  const answer = reply(input.last, Number(body.max_output_tokens ?? 16));
  const inputTokens = charTokens(instructions + input.all) + 3 * input.items;
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: answer.words.length,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + answer.words.length,
  };
  const responseId = `resp_mock${id}`;
  const messageId = `msg_mock${id}`;
  const created = now();
  const part = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
  const message = (text: string, status: string) => ({ id: messageId, type: 'message', status, role: 'assistant', content: text === '' && status === 'in_progress' ? [] : [part(text)] });
  const response = (status: string, output: unknown[], usageField: unknown) => ({
    id: responseId,
    object: 'response',
    created_at: created,
    status,
    model: body.model,
    output,
    instructions: instructions || null,
    max_output_tokens: body.max_output_tokens ?? null,
    incomplete_details: answer.finishReason === 'length' && status !== 'in_progress' ? { reason: 'max_output_tokens' } : null,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    text: { format: { type: 'text' } },
    usage: usageField,
    error: null,
  });
  const finalStatus = answer.finishReason === 'length' ? 'incomplete' : 'completed';
  if (body.stream !== true) return sendJson(res, 200, response(finalStatus, [message(answer.text, 'completed')], usage));
  let sequence = 0;
  const event = (type: string, fields: object): SseEvent => ({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...fields }) });
  const events: SseEvent[] = [
    event('response.created', { response: response('in_progress', [], null) }),
    event('response.in_progress', { response: response('in_progress', [], null) }),
    event('response.output_item.added', { output_index: 0, item: message('', 'in_progress') }),
    event('response.content_part.added', { item_id: messageId, output_index: 0, content_index: 0, part: part('') }),
    ...answer.words.map((word, index) =>
      event('response.output_text.delta', { item_id: messageId, output_index: 0, content_index: 0, delta: index === 0 ? word : ` ${word}`, logprobs: [] }),
    ),
    event('response.output_text.done', { item_id: messageId, output_index: 0, content_index: 0, text: answer.text, logprobs: [] }),
    event('response.content_part.done', { item_id: messageId, output_index: 0, content_index: 0, part: part(answer.text) }),
    event('response.output_item.done', { output_index: 0, item: message(answer.text, 'completed') }),
    event(finalStatus === 'completed' ? 'response.completed' : 'response.incomplete', { response: response(finalStatus, [message(answer.text, 'completed')], usage) }),
  ];
  await sse(res, events, context);
}

function embeddings(body: Body, { res }: Context) {
  const inputs = Array.isArray(body.input) && body.input.some((item) => typeof item !== 'number') ? body.input : [body.input];
  const texts = inputs.map((input) => (typeof input === 'string' ? input : JSON.stringify(input)));
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const data = texts.map((text, index) => {
    const vector = embed(text, dimensions);
    // The official SDK asks for base64 by default: little-endian float32s.
    const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = texts.reduce((sum, text) => sum + charTokens(text), 0);
  sendJson(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

/** A unit vector seeded by the text (FNV-1a + xorshift): same text, same vector. */
export function embed(text: string, dimensions: number): number[] {
  let seed = 0x811c9dc5;
  for (const char of text) seed = Math.imul(seed ^ char.codePointAt(0)!, 0x01000193) >>> 0;
  const vector = Array.from({ length: dimensions }, () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) / 0xffffffff) * 2 - 1;
  });
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => Math.fround(value / norm));
}
