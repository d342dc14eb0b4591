import 'server-only';
import { echoTokens as tokens, eventStream } from './echo-wire';

/**
 * `conduit/echo` on the Responses API: the same offline echo, as a response object or as the
 * typed event stream (response.created … response.output_text.delta … response.completed with
 * the usage), so `client.responses.create` can be tried on the embedded default too.
 */

/** The last user text of a Responses API input: a string, or the text parts of its last user item. */
function lastUserText(input: unknown): string {
  if (typeof input === 'string') return input;
  const items = Array.isArray(input) ? (input as { role?: string; content?: unknown }[]) : [];
  const last = items.findLast((item) => item.role === 'user');
  if (typeof last?.content === 'string') return last.content;
  if (Array.isArray(last?.content)) return last.content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')).join(' ');
  return '';
}

export function echoResponse(body: Record<string, unknown>, stream: boolean): Response {
  const max = Number(body.max_output_tokens ?? Infinity);
  const all = `Echo: ${lastUserText(body.input)}`.split(/\s+/).filter(Boolean);
  const words = all.slice(0, max);
  const text = words.join(' ');
  const inputTokens = tokens(JSON.stringify([body.instructions ?? '', body.input ?? '']));
  const usage = { input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: words.length, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: inputTokens + words.length };
  const id = `resp_echo_${crypto.randomUUID().replaceAll('-', '')}`;
  const messageId = `msg_echo_${crypto.randomUUID().replaceAll('-', '')}`;
  const created = Math.floor(Date.now() / 1000);
  const status = words.length < all.length ? 'incomplete' : 'completed';
  const part = (value: string) => ({ type: 'output_text', text: value, annotations: [] });
  const message = (value: string, state: string) => ({ id: messageId, type: 'message', status: state, role: 'assistant', content: state === 'in_progress' ? [] : [part(value)] });
  const response = (state: string, output: unknown[], usageField: unknown) => ({
    id,
    object: 'response',
    created_at: created,
    status: state,
    model: body.model,
    output,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    incomplete_details: state === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    usage: usageField,
    error: null,
  });
  if (!stream) return new Response(JSON.stringify(response(status, [message(text, 'completed')], usage)), { headers: { 'content-type': 'application/json' } });

  let sequence = 0;
  const event = (type: string, fields: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const events = [
    event('response.created', { response: response('in_progress', [], null) }),
    event('response.output_item.added', { output_index: 0, item: message('', 'in_progress') }),
    event('response.content_part.added', { item_id: messageId, output_index: 0, content_index: 0, part: part('') }),
    ...words.map((word, i) => event('response.output_text.delta', { item_id: messageId, output_index: 0, content_index: 0, delta: i === 0 ? word : ` ${word}` })),
    event('response.output_text.done', { item_id: messageId, output_index: 0, content_index: 0, text }),
    event('response.content_part.done', { item_id: messageId, output_index: 0, content_index: 0, part: part(text) }),
    event('response.output_item.done', { output_index: 0, item: message(text, 'completed') }),
    event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: response(status, [message(text, 'completed')], usage) }),
  ];
  return eventStream(events);
}
