import { describe, expect, it } from 'vitest';
import { relayStream } from '@/lib/server/relay-response';
import { bodyMeter, type Metered } from './meter';

/** The meter as a stream reader other than the lean entry sees it. */
const meterBody = (body: ReadableStream<Uint8Array>, ...meter: Parameters<typeof bodyMeter>) => relayStream(body, bodyMeter(...meter));

// The proxy relays bodies untouched while counting them; these pin down its limits.

const encoder = new TextEncoder();

function source(chunks: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]!));
      else controller.close();
    },
  });
}

async function relay(chunks: string[], kind: 'sse' | 'json' | 'other') {
  let ended: { metered: Metered; how: string } | undefined;
  const body = meterBody(source(chunks), kind, (metered, how) => (ended = { metered: { ...metered }, how }));
  const text = await new Response(body).text();
  return { text, ended: ended! };
}

describe('meterBody', () => {
  it('relays SSE byte for byte and takes the usage from the events', async () => {
    const events = [
      'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}\n\ndata: [DONE]\n\n',
    ];
    const { text, ended } = await relay(events, 'sse');
    expect(text).toBe(events.join(''));
    expect(ended).toMatchObject({ how: 'complete', metered: { bytes: Buffer.byteLength(events.join('')), inputTokens: 12, outputTokens: 3 } });
  });

  it("reads Anthropic's stream usage (input in message_start, output in message_delta) and skips OpenAI's usage: null", async () => {
    const anthropic = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m1","usage":{"input_tokens":21,"output_tokens":1}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"usage: {not json"}}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage": {"output_tokens":15}}\n\n',
    ];
    expect((await relay(anthropic, 'sse')).ended.metered).toMatchObject({ inputTokens: 21, outputTokens: 15 });
    const openai = [
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":2}}\n\n',
      'data: {"choices":[{"delta":{"content":"b"}}],"usage":null}\n\n',
    ];
    expect((await relay(openai, 'sse')).ended.metered).toMatchObject({ inputTokens: 8, outputTokens: 2 });
  });

  it('stops scanning an event that never ends past 1 MiB, but still relays all of it', async () => {
    // 3 MiB of one endless SSE line: buffered for scanning it would grow without bound.
    const chunk = `data: ${'x'.repeat(64 * 1024)}`;
    const chunks = Array.from({ length: 48 }, () => chunk);
    chunks.push('\n\ndata: {"usage":{"prompt_tokens":5,"completion_tokens":7}}\n\n');
    const { text, ended } = await relay(chunks, 'sse');
    expect(text.length).toBe(chunks.join('').length);
    expect(ended.metered.bytes).toBe(Buffer.byteLength(chunks.join('')));
    // Scanning gave up (bounded memory), so the late usage is not read: a miscount, never a crash.
    expect(ended.metered).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  it('reads usage from a JSON body, and nothing from a non-JSON one', async () => {
    const json = await relay(['{"usage":{"input_tokens":4,', '"output_tokens":9}}'], 'json');
    expect(json.ended.metered).toMatchObject({ inputTokens: 4, outputTokens: 9 });
    const other = await relay(['{"usage":{"input_tokens":4}}'], 'other');
    expect(other.ended.metered).toMatchObject({ inputTokens: 0, bytes: 28 });
  });

  it('reports a client that went away, once', async () => {
    const ends: string[] = [];
    const body = meterBody(source(['a', 'b', 'c']), 'other', (_metered, how) => ends.push(how));
    const reader = body.getReader();
    await reader.read();
    await reader.cancel('gone');
    expect(ends).toEqual(['client_gone']);
  });
});
