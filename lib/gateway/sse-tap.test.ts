import { describe, expect, it } from 'vitest';
import { relayStream } from '@/lib/server/relay-response';
import { sseTap, type StreamOutcome } from './sse-tap';

/** The tap as a stream reader other than the lean entry sees it. */
const tapStream = (upstream: ReadableStream<Uint8Array>, options: Parameters<typeof sseTap>[0]) => relayStream(upstream, sseTap(options));

// What a streaming client receives through the gateway, and what the gateway bills from it.

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], usage: null, ...extra })}\n\n`;
const usageEvent = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } })}\n\n`;
const events = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hé' }), chunk({ content: 'llo' }), chunk({ content: ' 👋' }), usageEvent, 'data: [DONE]\n\n'];

/** The upstream as a stream of these byte chunks. */
function upstream(parts: Uint8Array[], failAfter?: number, onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && i === failAfter) return controller.error(new Error('socket hang up'));
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
    cancel: onCancel,
  });
}

/** Cuts `text` into chunks at every `size` bytes — mid-event and mid-character. */
function cut(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.slice(at, at + size));
  return parts;
}

async function tap(parts: Uint8Array[], showUsage: boolean, failAfter?: number) {
  let outcome: StreamOutcome | undefined;
  const body = tapStream(upstream(parts, failAfter), { showUsage, onEnd: (o) => void (outcome = o) });
  const received = Buffer.from(await new Response(body).arrayBuffer()).toString('utf8');
  return { received, outcome: outcome! };
}

describe('tapStream', () => {
  it('relays the events byte for byte and reads the usage, however the bytes are cut', async () => {
    for (const size of [1, 7, 64, 10_000]) {
      const { received, outcome } = await tap(cut(events.join(''), size), true);
      expect(received).toBe(events.join(''));
      expect(outcome).toMatchObject({ usage: { prompt_tokens: 9, completion_tokens: 3 }, outputChunks: 3, interrupted: null });
      expect(outcome.firstOutputAt).not.toBeNull();
    }
  });

  it('hides the usage event from a client that did not ask for it, and only that event', async () => {
    const { received, outcome } = await tap(cut(events.join(''), 13), false);
    expect(received).toBe(events.filter((event) => event !== usageEvent).join(''));
    expect(outcome.usage).toEqual({ prompt_tokens: 9, completion_tokens: 3 });
  });

  it('keeps CRLF streams as they are, and reads a last event that lacks its blank line', async () => {
    const crlf = events.slice(0, 4).join('').replaceAll('\n', '\r\n') + usageEvent.trimEnd().replaceAll('\n', '\r\n');
    const { received, outcome } = await tap(cut(crlf, 5), false);
    expect(received).toBe(events.slice(0, 4).join('').replaceAll('\n', '\r\n'));
    expect(outcome).toMatchObject({ usage: { prompt_tokens: 9 }, outputChunks: 3 });
  });

  it('counts tool calls as output and empty content as none', async () => {
    const stream = [chunk({ content: '' }), chunk({ tool_calls: [{ index: 0, function: { arguments: '{"content":"x"}' } }] }), 'data: [DONE]\n\n'];
    const { outcome } = await tap(cut(stream.join(''), 20), false);
    expect(outcome).toMatchObject({ usage: null, outputChunks: 1 });
  });

  it('ends with an SSE error event when the upstream breaks mid-stream', async () => {
    const parts = events.slice(0, 3).map((event) => new TextEncoder().encode(event));
    const { received, outcome } = await tap(parts, false, 2);
    expect(received.startsWith(events[0]! + events[1]!)).toBe(true);
    expect(received).toMatch(/data: \{"error":\{.*"code":"upstream_stream_error"\}\}\n\n$/);
    expect(outcome).toMatchObject({ interrupted: 'upstream', outputChunks: 1 });
  });

  it('cancels the upstream body (for fetch: aborts its request) and reports the client when the client goes away', async () => {
    let cancelled = false;
    let outcome: StreamOutcome | undefined;
    const body = tapStream(upstream(cut(events.join(''), 30), undefined, () => void (cancelled = true)), { showUsage: false, onEnd: (o) => void (outcome = o) });
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    expect(cancelled).toBe(true);
    expect(outcome?.interrupted).toBe('client');
  });
});
