import { describe, expect, it } from 'vitest';
import { readChatStream, type StreamEvent } from './stream';

/** A body delivering `text` in pieces cut at the given offsets. */
function bodyOf(text: string, cuts: number[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const edges = [0, ...cuts, bytes.length];
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < edges.length - 1; i++) controller.enqueue(bytes.slice(edges[i], edges[i + 1]));
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of readChatStream(body)) events.push(event);
  return events;
}

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } })}\n\n`;

describe('readChatStream', () => {
  it('yields the text in order and the usage, wherever the network cut the bytes (even inside a UTF-8 character)', async () => {
    const stream = chunk('Héllo') + chunk(', ') + chunk('wörld 👋') + usage + 'data: [DONE]\n\n';
    for (const cuts of [[], [1, 7, 30], [...Array(stream.length).keys()].slice(1)]) {
      const events = await collect(bodyOf(stream, cuts));
      expect(events).toEqual([
        { kind: 'text', text: 'Héllo' },
        { kind: 'text', text: ', ' },
        { kind: 'text', text: 'wörld 👋' },
        { kind: 'usage', usage: { prompt_tokens: 9, completion_tokens: 3 } },
      ]);
    }
  });

  it('reports an error the stream carries, and ignores comments and CRLF framing', async () => {
    const stream = ': keep-alive\r\n\r\n' + chunk('partial').replace(/\n/g, '\r\n') + `data: ${JSON.stringify({ error: { message: 'Upstream went away' } })}\n\n`;
    expect(await collect(bodyOf(stream, [5]))).toEqual([
      { kind: 'text', text: 'partial' },
      { kind: 'error', message: 'Upstream went away' },
    ]);
  });

  it('reads a last event that has no blank line after it', async () => {
    expect(await collect(bodyOf(chunk('end').trimEnd(), []))).toEqual([{ kind: 'text', text: 'end' }]);
  });
});
