import type { RelaySteps } from '@/lib/server/relay-response';

/**
 * Counts the bytes of a body as they stream by, unchanged. For LLM upstreams it also picks up
 * the token usage they report — OpenAI (`prompt_tokens`/`completion_tokens`) and Anthropic
 * (`input_tokens`/`output_tokens`) — from SSE events or a JSON body, without delaying a byte.
 */

export interface Metered {
  bytes: number;
  firstByteAt: number | null;
  inputTokens: number;
  outputTokens: number;
}

/** `"usage": {` — where OpenAI and Anthropic report tokens (Anthropic's message_start nests it in `message`). */
const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/** A JSON body larger than this is not parsed for usage (it is still counted and forwarded). */
const MAX_JSON_SCAN = 1024 * 1024;

type Usage = { prompt_tokens?: number; completion_tokens?: number; input_tokens?: number; output_tokens?: number };

function absorb(metered: Metered, value: unknown): void {
  if (!value || typeof value !== 'object') return;
  const record = value as { usage?: Usage; message?: { usage?: Usage } };
  const usage = record.usage ?? record.message?.usage;
  if (!usage || typeof usage !== 'object') return;
  const input = usage.prompt_tokens ?? usage.input_tokens;
  const output = usage.completion_tokens ?? usage.output_tokens;
  // Anthropic streams report input once (message_start) and output cumulatively (message_delta).
  if (typeof input === 'number' && input > 0) metered.inputTokens = input;
  if (typeof output === 'number') metered.outputTokens = Math.max(metered.outputTokens, output);
}

type Ending = 'complete' | 'upstream_error' | 'client_gone';

/**
 * The meter as the steps of a relay (lib/server/relay-response.ts): every chunk passes unchanged;
 * `onEnd` runs exactly once — at the end, on an upstream error, or when the client goes away.
 */
export function bodyMeter(kind: 'sse' | 'json' | 'other', onEnd: (metered: Metered, ended: Ending) => void): RelaySteps {
  const metered: Metered = { bytes: 0, firstByteAt: null, inputTokens: 0, outputTokens: 0 };
  const decoder = new TextDecoder();
  let text = '';
  let scanning = kind !== 'other';
  let done = false;
  const finish = (how: Ending) => {
    if (done) return;
    done = true;
    if (how === 'complete' && scanning && kind === 'json') {
      try {
        absorb(metered, JSON.parse(text));
      } catch {
        // not JSON after all
      }
    }
    onEnd(metered, how);
  };

  const scanEvents = () => {
    for (let at = text.indexOf('\n\n'); at !== -1; at = text.indexOf('\n\n')) {
      for (const line of text.slice(0, at).split('\n')) {
        // Only an event with a usage object is worth parsing: parsing every event of a stream
        // was the largest share of relaying one (OpenAI repeats `"usage":null` in each chunk).
        if (!line.startsWith('data:') || !USAGE_OBJECT.test(line)) continue;
        try {
          absorb(metered, JSON.parse(line.slice(5)));
        } catch {
          // not JSON ([DONE], keep-alives): nothing to count
        }
      }
      text = text.slice(at + 2);
    }
  };

  return {
    chunk(value) {
      metered.bytes += value.byteLength;
      metered.firstByteAt ??= Date.now();
      if (scanning) {
        text += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
        if (kind === 'sse') scanEvents();
        if (text.length > MAX_JSON_SCAN) {
          scanning = false;
          text = '';
        }
      }
      return value;
    },
    end() {
      finish('complete');
      return null;
    },
    fail() {
      // The client's body breaks too: a relay cannot make a broken upstream answer whole.
      finish('upstream_error');
      return null;
    },
    cancel() {
      finish('client_gone');
    },
  };
}

/** Counts request body bytes and fails the stream past `max` (the upload is then refused). */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

export function limitBody(max: number, onEnd: (bytes: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      if (bytes > max) throw new BodyTooLargeError(`request body over ${max} bytes`);
      controller.enqueue(chunk);
    },
    flush() {
      onEnd(bytes);
    },
  });
}
