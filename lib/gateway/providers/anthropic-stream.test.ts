import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { anthropicToOpenAIStream, createSseParser } from './anthropic-stream';

const context = { model: 'claude-sonnet', created: 1_700_000_000 };
const encoder = new TextEncoder();

/** Anthropic's wire format: a named event and its JSON. */
const event = (data: { type: string; [key: string]: unknown }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

const messageStart = event({
  type: 'message_start',
  message: {
    id: 'msg_01XYZ',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 25, cache_creation_input_tokens: 10, cache_read_input_tokens: 100, output_tokens: 1 },
  },
});
const textDelta = (index: number, text: string) => event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
const jsonDelta = (index: number, partial_json: string) => event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
const toolStart = (index: number, id: string, name: string) => event({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } });

const upstream = [
  messageStart,
  event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  'event: ping\ndata: {"type": "ping"}\n\n',
  textDelta(0, 'Héllo'),
  textDelta(0, ' wörld 🌍'),
  event({ type: 'content_block_stop', index: 0 }),
  toolStart(1, 'toolu_01', 'get_weather'),
  jsonDelta(1, ''),
  jsonDelta(1, '{"city": '),
  jsonDelta(1, '"Paris"}'),
  event({ type: 'content_block_stop', index: 1 }),
  toolStart(2, 'toolu_02', 'now'),
  jsonDelta(2, '{}'),
  event({ type: 'content_block_stop', index: 2 }),
  event({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } }),
  event({ type: 'message_stop' }),
].join('');

const chunk = (delta: object, finishReason: string | null = null): ChatCompletionChunk =>
  ({ id: 'chatcmpl-01XYZ', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'claude-sonnet', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] }) as ChatCompletionChunk;
const frame = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

const expected = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Héllo' }),
  chunk({ content: ' wörld 🌍' }),
  chunk({ tool_calls: [{ index: 0, id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'toolu_02', type: 'function', function: { name: 'now', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
  chunk({}, 'tool_calls'),
  {
    id: 'chatcmpl-01XYZ',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'claude-sonnet',
    choices: [],
    usage: { prompt_tokens: 135, completion_tokens: 42, total_tokens: 177, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 10 } },
  } satisfies ChatCompletionChunk,
]
  .map(frame)
  .concat('data: [DONE]\n\n');

/** Runs bytes through the translator in pieces of `size` bytes; returns each output chunk. */
async function translate(text: string, size: number, options: { jsonTool?: string } = {}): Promise<string[]> {
  const bytes = encoder.encode(text);
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size) controller.enqueue(bytes.slice(at, at + size));
      controller.close();
    },
  });
  const out: string[] = [];
  const decoder = new TextDecoder();
  const reader = source.pipeThrough(anthropicToOpenAIStream({ ...context, ...options })).getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) out.push(decoder.decode(next.value));
  return out;
}

describe('Anthropic stream → OpenAI chunks', () => {
  const contentOf = (frames: string[]) =>
    frames
      .join('')
      .split('\n\n')
      .filter((line) => line.startsWith('data: {'))
      .flatMap((line) => (JSON.parse(line.slice(6)) as ChatCompletionChunk).choices.map((choice) => choice.delta.content ?? ''))
      .join('');
  const jsonMode = (...blocks: string[]) =>
    [messageStart, ...blocks, event({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 3 } }), event({ type: 'message_stop' })].join('');

  it('JSON mode: the forced tool streams as content, an empty input as {}, a second JSON block not at all', async () => {
    const answer = jsonMode(toolStart(0, 'toolu_01', 'json_response'), jsonDelta(0, '{"a": '), jsonDelta(0, '1}'), event({ type: 'content_block_stop', index: 0 }));
    expect(contentOf(await translate(answer, 5, { jsonTool: 'json_response' }))).toBe('{"a": 1}');
    const empty = jsonMode(toolStart(0, 'toolu_01', 'json_response'), jsonDelta(0, ''), event({ type: 'content_block_stop', index: 0 }));
    expect(contentOf(await translate(empty, 5, { jsonTool: 'json_response' }))).toBe('{}');
    const twice = jsonMode(toolStart(0, 'toolu_01', 'json_response'), jsonDelta(0, '{"a": 1}'), event({ type: 'content_block_stop', index: 0 }), toolStart(1, 'toolu_02', 'json_response'), jsonDelta(1, '{"b": 2}'), event({ type: 'content_block_stop', index: 1 }));
    const frames = await translate(twice, 64, { jsonTool: 'json_response' });
    expect(contentOf(frames)).toBe('{"a": 1}');
    expect(frames.join('')).not.toContain('tool_calls');
    expect(frames.join('')).toContain('"finish_reason":"stop"');
  });

  it.each([1, 2, 3, 7, 64, 100_000])('produces the exact chunk sequence when upstream arrives in %i-byte pieces', async (size) => {
    // One byte at a time splits lines, `\n\n` separators and multi-byte UTF-8 characters.
    expect(await translate(upstream, size)).toEqual(expected);
  });

  it('reads CRLF line endings, even split between \\r and \\n', async () => {
    expect(await translate(upstream.replaceAll('\n', '\r\n'), 1)).toEqual(expected);
  });

  it('emits each chunk as soon as its event is complete', async () => {
    const translator = anthropicToOpenAIStream(context);
    const writer = translator.writable.getWriter();
    const reader = translator.readable.getReader();
    const decoder = new TextDecoder();
    void writer.write(encoder.encode(messageStart));
    expect(decoder.decode((await reader.read()).value)).toBe(expected[0]);
    const delta = textDelta(0, 'Héllo');
    void writer.write(encoder.encode(delta.slice(0, 20)));
    void writer.write(encoder.encode(delta.slice(20)));
    expect(decoder.decode((await reader.read()).value)).toBe(expected[1]);
    await writer.abort();
  });

  it('ends with an OpenAI error event, and no [DONE], on an upstream error event', async () => {
    const text = [
      messageStart,
      textDelta(0, 'Hi'),
      event({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      textDelta(0, 'ignored'),
      event({ type: 'message_stop' }),
    ].join('');
    expect(await translate(text, 5)).toEqual([
      expected[0],
      frame(chunk({ content: 'Hi' })),
      frame({ error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' } }),
    ]);
  });

  it('reports a stream that ends before message_stop as an error', async () => {
    const out = await translate(messageStart + textDelta(0, 'Hi'), 1);
    expect(out.at(-1)).toBe(
      frame({ error: { message: 'The upstream stream ended before the response was complete.', type: 'api_error', param: null, code: 'upstream_error' } }),
    );
    expect(out).not.toContain('data: [DONE]\n\n');
  });

  it('reports an unreadable event as an error', async () => {
    const out = await translate(`${messageStart}event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n`, 10);
    expect(JSON.parse(out.at(-1)!.slice(6))).toMatchObject({ error: { code: 'upstream_error' } });
  });

  it('finishes with stop when message_stop comes without a message_delta', async () => {
    const out = await translate(messageStart + textDelta(0, 'Hi') + event({ type: 'message_stop' }), 4);
    expect(out.slice(2, 4)).toEqual([frame(chunk({}, 'stop')), frame({ ...JSON.parse(expected[9]!.slice(6)), usage: { prompt_tokens: 135, completion_tokens: 1, total_tokens: 136, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 10 } } })]);
  });
});

describe('SSE parser', () => {
  it('handles comments, multi-line data, bare CR and unterminated events', () => {
    const parser = createSseParser();
    expect(parser.push(': keep-alive\n\nevent: a\ndata: 1\ndata:2\r\rdata: x')).toEqual([{ event: 'a', data: '1\n2' }]);
    expect(parser.push('y\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'xy' }]);
  });
});
