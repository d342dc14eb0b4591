import 'server-only';
import { echoResponse } from './echo-responses';
import { echoTokens as tokens, eventStream } from './echo-wire';
import type { Provider, ProviderRequest } from './types';

/**
 * `conduit/echo`: a free, offline model that answers with what it was sent, in OpenAI's exact
 * wire format (streaming included), so the embedded default can be tried with no provider key.
 */

function lastUserText(body: Record<string, unknown>): string {
  if (typeof body.prompt === 'string') return body.prompt;
  const messages = (body.messages as { role: string; content?: unknown }[] | undefined) ?? [];
  const last = [...messages].reverse().find((message) => message.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) return last.content.map((part: { text?: string }) => part.text ?? '').join(' ');
  return '';
}

function reply(body: Record<string, unknown>) {
  const maxTokens = Number(body.max_tokens ?? body.max_completion_tokens ?? Infinity);
  const words = `Echo: ${lastUserText(body)}`.split(/\s+/).filter(Boolean).slice(0, maxTokens);
  const promptTokens = tokens(JSON.stringify(body.messages ?? body.prompt ?? ''));
  const finish = words.length >= maxTokens ? 'length' : 'stop';
  return { words, finish, usage: { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length } };
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });

function embeddings(body: Record<string, unknown>): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((input, index) => {
    const text = JSON.stringify(input);
    const vector = Array.from({ length: 8 }, (_, i) => Math.sin(text.length * (i + 1) + (text.charCodeAt(i % text.length) || 0)));
    return { object: 'embedding', index, embedding: vector };
  });
  const promptTokens = inputs.reduce((sum: number, input) => sum + tokens(JSON.stringify(input)), 0);
  return json({ object: 'list', data, model: body.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
}

function stream(request: ProviderRequest, id: string, created: number): Response {
  const { words, finish, usage } = reply(request.body);
  const model = request.body.model;
  const chat = request.operation === 'chat';
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices, ...extra })}\n\n`;
  const events = [
    ...(chat ? [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])] : []),
    ...words.map((word, i) => {
      const text = i === 0 ? word : ` ${word}`;
      return chunk([chat ? { index: 0, delta: { content: text }, finish_reason: null } : { index: 0, text, finish_reason: null }]);
    }),
    chunk([chat ? { index: 0, delta: {}, finish_reason: finish } : { index: 0, text: '', finish_reason: finish }]),
    chunk([], { usage }),
    'data: [DONE]\n\n',
  ];
  return eventStream(events);
}

export const echoProvider: Provider = {
  name: 'echo',
  async send(request) {
    const id = `chatcmpl-echo-${crypto.randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (request.operation === 'embeddings') return embeddings(request.body);
    if (request.operation === 'responses') return echoResponse(request.body, request.stream);
    if (request.stream) return stream(request, id, created);
    const { words, finish, usage } = reply(request.body);
    const text = words.join(' ');
    if (request.operation === 'completions') {
      return json({ id, object: 'text_completion', created, model: request.body.model, choices: [{ index: 0, text, finish_reason: finish }], usage });
    }
    return json({
      id,
      object: 'chat.completion',
      created,
      model: request.body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
      usage,
    });
  },
};
