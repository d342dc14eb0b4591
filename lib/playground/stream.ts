/**
 * Reads an OpenAI chat completion stream (server-sent events) as the browser receives it: the
 * text as it arrives, then the usage of the last chunk. Pure and client-safe: the playground page
 * uses it, its test feeds it chunks split at awkward places.
 */

export interface StreamUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

export type StreamEvent = { kind: 'text'; text: string } | { kind: 'usage'; usage: StreamUsage } | { kind: 'error'; message: string };

interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: StreamUsage | null;
  error?: { message?: string };
}

/** Splits the byte stream into events; yields text deltas, the usage, or an error the stream carried. */
export async function* readChatStream(body: ReadableStream<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // Events end with a blank line; the last, unfinished one waits for more bytes.
      const events = buffer.split(/\r?\n\r?\n/);
      buffer = done ? '' : (events.pop() ?? '');
      for (const event of events) yield* parseEvent(event);
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

function* parseEvent(event: string): Generator<StreamEvent> {
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  if (data === '' || data === '[DONE]') return;
  let chunk: Chunk;
  try {
    chunk = JSON.parse(data) as Chunk;
  } catch {
    return;
  }
  if (chunk.error) {
    yield { kind: 'error', message: chunk.error.message ?? 'The stream was interrupted.' };
    return;
  }
  const text = chunk.choices?.[0]?.delta?.content;
  if (text) yield { kind: 'text', text };
  if (chunk.usage) yield { kind: 'usage', usage: chunk.usage };
}
