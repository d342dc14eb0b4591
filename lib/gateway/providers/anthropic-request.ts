import 'server-only';
import { z } from 'zod';
import { ApiError, MAX_JSON_DEPTH, validationError } from '@/lib/errors';
import { jsonNestedDeeperThan } from '@/lib/json-depth';

/**
 * OpenAI chat completion request → Anthropic Messages request. Only the fields Anthropic can
 * honour are read; the rest (logprobs, seed, …) are dropped rather than rejected so ordinary
 * OpenAI clients keep working. What cannot be translated faithfully is a 400 naming the field.
 */

/**
 * A prompt-cache breakpoint on a content part, as OpenRouter and Anthropic spell it: passed to
 * Anthropic on the block it marks. Only the default five-minute cache: a one-hour write costs
 * twice the input price, and without Anthropic reporting writes per lifetime they could not be
 * billed exactly.
 */
const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.string().optional() }).optional();
const textPart = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imagePart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1) }), cache_control: cacheControl });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const textContent = z.union([z.string(), z.array(textPart)], { error: 'must be a string or an array of text parts' });
const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: textContent }),
  z.object({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart]))], {
      error: 'must be a string or an array of text and image_url parts',
    }),
  }),
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart]))]).nullish(),
    tool_calls: z.array(toolCall).nullish(),
  }),
  z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
]);

const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const tokenLimit = z.number().int().positive().nullish();

export const chatRequestSchema = z.object({
  messages: z.array(messageSchema).min(1),
  max_tokens: tokenLimit,
  max_completion_tokens: tokenLimit,
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) })])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  user: z.string().nullish(),
  n: z.literal(1, { error: 'Anthropic models return one choice; n must be 1' }).nullish(),
  response_format: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({ name: z.string().optional(), description: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional() }),
      }),
    ])
    .nullish(),
});

/**
 * JSON mode, which Anthropic's Messages API has no switch for: the answer is asked for as the input
 * of one forced tool whose input schema is the requested one (any object for json_object), and
 * that input comes back as the message's content (anthropic-response.ts, anthropic-stream.ts).
 */
export const JSON_MODE_TOOL = 'json_response';

/** Whether a (translated, so valid) request asked for JSON mode. */
export const jsonModeRequested = (body: unknown): boolean => {
  const type = (body as { response_format?: { type?: unknown } | null }).response_format?.type;
  return type === 'json_object' || type === 'json_schema';
};

export type ChatRequest = z.infer<typeof chatRequestSchema>;
type ChatMessage = ChatRequest['messages'][number];

type CacheControl = { type: 'ephemeral'; ttl?: string };

export type AnthropicBlock =
  | { type: 'text'; text: string; cache_control?: CacheControl }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }; cache_control?: CacheControl }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown>; cache_control?: CacheControl }
  | { type: 'tool_result'; tool_use_id: string; content: string; cache_control?: CacheControl };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

export type AnthropicToolChoice = { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  /** Text, or text blocks when one of them carries a cache breakpoint. */
  system?: string | { type: 'text'; text: string; cache_control?: CacheControl }[];
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: AnthropicToolChoice & { disable_parallel_tool_use?: boolean };
  metadata?: { user_id: string };
  stream?: boolean;
}

/** Anthropic requires max_tokens; used when the request (and so the gateway) set none. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Throws an ApiError (400) when the body cannot be translated. */
export function toAnthropicRequest(body: unknown, options: { model: string; stream: boolean }): AnthropicRequest {
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) throw validationError(parsed.error);
  const chat = parsed.data;
  refuseLongCaches(chat.messages);
  const limits = [chat.max_tokens, chat.max_completion_tokens].filter((limit): limit is number => limit != null);
  const system = toSystem(chat.messages);
  const stop = typeof chat.stop === 'string' ? [chat.stop] : (chat.stop ?? []);
  const tools = chat.tools ?? [];
  const json = jsonModeTool(chat, tools.length > 0);
  // Fields left undefined are dropped by JSON.stringify on the way out.
  return {
    model: options.model,
    // The gateway caps one of the two by the budget; honour the smaller so the cap holds.
    max_tokens: limits.length > 0 ? Math.min(...limits) : DEFAULT_MAX_TOKENS,
    messages: toMessages(chat.messages),
    system,
    // Anthropic's range is 0–1 where OpenAI's is 0–2; above 1 is as random as Anthropic goes.
    temperature: chat.temperature == null ? undefined : Math.min(chat.temperature, 1),
    top_p: chat.top_p ?? undefined,
    stop_sequences: stop.length > 0 ? stop : undefined,
    tools: json ? [json] : tools.length > 0 ? tools.map(({ function: fn }) => ({ name: fn.name, description: fn.description, input_schema: fn.parameters ?? { type: 'object', properties: {} } })) : undefined,
    // One call exactly: a second JSON block would make the content two objects.
    tool_choice: json ? { type: 'tool', name: JSON_MODE_TOOL, disable_parallel_tool_use: true } : tools.length > 0 ? toToolChoice(chat.tool_choice, chat.parallel_tool_calls) : undefined,
    metadata: chat.user ? { user_id: chat.user } : undefined,
    stream: options.stream || undefined,
  };
}

/**
 * System and developer messages, hoisted into Anthropic's top-level `system`: one text, unless a
 * part carries a cache breakpoint — then its blocks, so the breakpoint stays where it was put.
 */
function toSystem(messages: ChatMessage[]): AnthropicRequest['system'] {
  const contents = messages.flatMap((message) => (message.role === 'system' || message.role === 'developer' ? [message.content] : []));
  if (contents.length === 0) return undefined;
  const parts = contents.flatMap((content) => (typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content));
  if (!parts.some((part) => part.cache_control)) return contents.map(joinText).join('\n\n');
  return parts.filter((part) => part.text !== '').map((part) => ({ type: 'text' as const, text: part.text, ...(part.cache_control && { cache_control: part.cache_control }) }));
}

/** The forced tool that carries a JSON-mode answer, or undefined for plain text (JSON_MODE_TOOL). */
function jsonModeTool(chat: ChatRequest, hasTools: boolean): NonNullable<AnthropicRequest['tools']>[number] | undefined {
  const format = chat.response_format;
  if (!format || format.type === 'text') return undefined;
  if (hasTools) {
    throw new ApiError(400, 'invalid_request_error', 'response_format: JSON mode cannot be combined with tools for Anthropic models.', { param: 'response_format' });
  }
  const schema = format.type === 'json_schema' ? format.json_schema.schema : undefined;
  // Anthropic's tool input is always an object.
  if (schema && schema.type !== undefined && schema.type !== 'object') {
    throw new ApiError(400, 'invalid_request_error', "response_format.json_schema.schema: Anthropic models can only answer a JSON object (type 'object').", {
      param: 'response_format.json_schema.schema',
    });
  }
  const described = format.type === 'json_schema' ? [format.json_schema.name, format.json_schema.description].filter(Boolean).join(': ') : '';
  return {
    name: JSON_MODE_TOOL,
    description: `Give the whole answer as this tool's input${described ? ` (${described})` : ''}.`,
    input_schema: schema ?? { type: 'object' },
  };
}

/** A ttl other than the default five minutes is a 400 naming where it was (the content unions would hide it). */
function refuseLongCaches(messages: ChatMessage[]): void {
  messages.forEach((message, m) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, p) => {
      const ttl = 'cache_control' in part ? part.cache_control?.ttl : undefined;
      if (ttl === undefined || ttl === '5m') return;
      const param = `messages.${m}.content.${p}.cache_control.ttl`;
      throw new ApiError(400, 'invalid_request_error', `${param}: only the default five-minute prompt cache ('5m') is supported, not '${ttl}'.`, { param });
    });
  });
}

function toToolChoice(choice: ChatRequest['tool_choice'], parallel: boolean | null | undefined): AnthropicRequest['tool_choice'] {
  const base: AnthropicToolChoice | undefined =
    choice === 'none' ? { type: 'none' } : choice === 'required' ? { type: 'any' } : choice === 'auto' ? { type: 'auto' } : choice ? { type: 'tool', name: choice.function.name } : undefined;
  if (parallel !== false || base?.type === 'none') return base;
  return { ...(base ?? { type: 'auto' }), disable_parallel_tool_use: true };
}

/**
 * Anthropic wants user/assistant turns with block content; consecutive messages of one role
 * (e.g. several tool results, or tool results followed by the user's next words) merge.
 */
function toMessages(messages: ChatMessage[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  messages.forEach((message, index) => {
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    // Anthropic rejects empty text blocks, which OpenAI clients send freely (e.g. content ""). A
    // cache breakpoint on one moves to the block before it, so the prefix it marks is still cached.
    const blocks: AnthropicBlock[] = [];
    for (const block of toBlocks(message, index)) {
      if (block.type !== 'text' || block.text !== '') blocks.push(block);
      else if (block.cache_control) {
        const previous = blocks.length > 0 ? blocks : out.at(-1)?.content;
        if (previous && previous.length > 0) previous[previous.length - 1] = { ...previous.at(-1)!, cache_control: block.cache_control };
      }
    }
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  });
  return out;
}

function toBlocks(message: ChatMessage, index: number): AnthropicBlock[] {
  switch (message.role) {
    case 'system':
    case 'developer':
      return []; // hoisted into the top-level `system`
    case 'user':
      if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
      return message.content.map((part) => withCacheControl(part.type === 'text' ? { type: 'text', text: part.text } : imageBlock(part.image_url.url), part.cache_control));
    case 'assistant': {
      const content = message.content ?? [];
      const text = typeof content === 'string' ? content : content.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('');
      const calls = (message.tool_calls ?? []).map((call, n): AnthropicBlock => ({
        type: 'tool_use',
        id: call.id,
        name: call.function.name,
        input: parseArguments(call.function.arguments, `messages.${index}.tool_calls.${n}.function.arguments`),
      }));
      // Parts become one text block; a breakpoint on any of them marks it — or, when the turn is
      // only tool calls (its text empty, so dropped), the last call.
      const mark = markOf(content);
      if (text === '' && calls.length > 0) return [{ type: 'text', text }, ...calls.slice(0, -1), withCacheControl(calls.at(-1)!, mark)];
      return [withCacheControl({ type: 'text', text }, mark), ...calls];
    }
    case 'tool':
      return [withCacheControl({ type: 'tool_result', tool_use_id: message.tool_call_id, content: joinText(message.content) }, markOf(message.content))];
  }
}

const withCacheControl = (block: AnthropicBlock, cacheControl: CacheControl | undefined): AnthropicBlock => (cacheControl ? { ...block, cache_control: cacheControl } : block);

/** The cache breakpoint of a message's parts, if one carries it. */
const markOf = (content: string | ({ cache_control?: CacheControl } | { type: 'refusal' })[]): CacheControl | undefined =>
  typeof content === 'string' ? undefined : content.flatMap((part) => ('cache_control' in part && part.cache_control ? [part.cache_control] : [])).at(-1);

function imageBlock(url: string): AnthropicBlock {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1]!, data: data[2]! } };
  if (url.startsWith('data:')) throw new ApiError(400, 'invalid_request_error', 'Image data URLs must be base64-encoded.', { param: 'messages' });
  return { type: 'image', source: { type: 'url', url } };
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  // A string inside the body escapes readJson's depth check; parsed here, it must pass it too, or
  // the payload's JSON.stringify would overflow the stack on its way to Anthropic.
  if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new ApiError(400, 'nesting_too_deep', `${param}: nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`, { param });
  }
  try {
    const value: unknown = JSON.parse(text || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the 400 below.
  }
  throw new ApiError(400, 'invalid_request_error', `${param}: must be a JSON object`, { param });
}

const joinText = (content: string | { text: string }[]) => (typeof content === 'string' ? content : content.map((part) => part.text).join(''));
