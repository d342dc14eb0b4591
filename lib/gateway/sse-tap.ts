import type { RelaySteps } from '@/lib/server/relay-response';

/**
 * Passes an OpenAI SSE stream through to the client as it arrives, byte for byte (one upstream
 * read, one enqueue — nothing waits for the whole answer), while reading the usage the provider
 * reports at the end. The usage chunk is dropped for clients that did not ask for it (the gateway
 * asks upstream on their behalf, so their output must look as if it had not).
 *
 * It works on the bytes: events are found by their blank line, only the event that carries a
 * usage object is parsed, and output is recognised by a key search on the raw bytes: decoding,
 * parsing and re-encoding every event cost more than the rest of relaying it.
 */

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  /** cache_write_tokens: written to a prompt cache (Anthropic, translated; OpenRouter's name). */
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  /** The Responses API's names for the same counts. */
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  /** DeepSeek's count of prompt tokens served from its cache. */
  prompt_cache_hit_tokens?: number;
}

export interface StreamOutcome {
  usage: OpenAIUsage | null;
  /** Events that carried output: about one token each, for billing a stream cut short. */
  outputChunks: number;
  firstOutputAt: number | null;
  /** Why the stream ended early, if it did. */
  interrupted: 'upstream' | 'client' | null;
}

interface TapOptions {
  showUsage: boolean;
  /** The stream is over; when it ended whole, the client's last bytes wait for what this returns. */
  onEnd(outcome: StreamOutcome): void | Promise<void>;
}

const encoder = new TextEncoder();

const upstreamBroke = () =>
  encoder.encode(
    `data: ${JSON.stringify({
      error: { message: 'The upstream provider ended the stream unexpectedly.', type: 'api_error', param: null, code: 'upstream_stream_error' },
    })}\n\n`,
  );

// Each chunk is read as a latin1 string: one character per byte, so positions are byte offsets,
// and events are searched with JavaScript's string search on slices of it (no copy) — a Buffer and
// a call into C++ per event and per search cost more than the rest of relaying a chunk.
const USAGE_KEY = '"usage"';
// `"delta"` with a string value: a Responses API text delta (a chat chunk's delta is an object).
const TEXT_KEYS = ['"content"', '"text"', '"refusal"', '"delta"'];
const TOOL_CALLS_KEY = '"tool_calls"';
const EMPTY = Buffer.alloc(0);

/** Where the event starting at `from` ends (just past its blank line), or -1 if it has not ended yet. */
function eventEnd(text: string, from: number, crlf: boolean): number {
  const lf = text.indexOf('\n\n', from);
  if (!crlf) return lf === -1 ? -1 : lf + 2;
  const crlfAt = text.indexOf('\r\n\r\n', from);
  if (lf === -1) return crlfAt === -1 ? -1 : crlfAt + 4;
  return crlfAt === -1 || lf < crlfAt ? lf + 2 : crlfAt + 4;
}

const isSpace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const QUOTE = 0x22;

/** Where the JSON value of `"key":` starts in `event` (spaces skipped), or -1. */
function valueAt(event: string, key: string): number {
  for (let at = event.indexOf(key); at !== -1; at = event.indexOf(key, at + 1)) {
    let i = at + key.length;
    while (isSpace(event.charCodeAt(i))) i++;
    if (event.charCodeAt(i) !== 0x3a) continue; // ':' — a key, not the same text inside a string
    i++;
    while (isSpace(event.charCodeAt(i))) i++;
    if (i < event.length) return i;
  }
  return -1;
}

/**
 * Output in a chat or completion chunk: a non-empty content, text or refusal string, or a tool
 * call. Inside a JSON string the quotes of `"content"` would be escaped, so only keys match.
 */
function carriesOutput(event: string): boolean {
  // Most events are content deltas: the first key decides them in one search.
  for (const key of TEXT_KEYS) {
    const at = valueAt(event, key);
    if (at === -1) continue;
    // A string value, and not the empty one (its opening quote followed by the closing one).
    if (event.charCodeAt(at) === QUOTE && event.charCodeAt(at + 1) !== QUOTE) return true;
  }
  const tools = valueAt(event, TOOL_CALLS_KEY);
  return tools !== -1 && event.charCodeAt(tools) === 0x5b; // '['
}

/** The tap as the steps of a relay (lib/server/relay-response.ts): the gateway's streamed answers. */
export function sseTap(options: TapOptions): RelaySteps {
  const outcome: StreamOutcome = { usage: null, outputChunks: 0, firstOutputAt: null, interrupted: null };
  let pending: Buffer = EMPTY;
  let ended = false;
  const end = (interrupted: StreamOutcome['interrupted']): void | Promise<void> => {
    if (ended) return;
    ended = true;
    outcome.interrupted = interrupted;
    return options.onEnd(outcome);
  };

  /** Reads one event (latin1 text); true when it should reach the client. */
  function inspect(event: string): boolean {
    // OpenAI puts `"usage":null` in every chunk once usage is asked for; only an object counts.
    if (carriesOutput(event)) {
      outcome.outputChunks += 1;
      outcome.firstOutputAt ??= Date.now();
    }
    const usage = valueAt(event, USAGE_KEY);
    return !(usage !== -1 && event.charCodeAt(usage) === 0x7b && absorbUsage(Buffer.from(event, 'latin1').toString('utf8')) && !options.showUsage);
  }

  /** Takes the usage from an event's data lines; true when the event is nothing but usage (no choices). */
  function absorbUsage(event: string): boolean {
    let usageOnly = false;
    for (const line of event.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      try {
        const chunk = JSON.parse(line.slice(5)) as {
          usage?: OpenAIUsage | null;
          choices?: unknown[];
          type?: string;
          response?: { usage?: OpenAIUsage | null };
          x_groq?: { usage?: OpenAIUsage | null };
        };
        // A Responses API stream reports usage inside its response.completed event, which the
        // client needs whole: such events (they have a `type`) are never dropped.
        // Groq also reports it under x_groq in the last chunk.
        const usage = chunk.usage ?? chunk.response?.usage ?? chunk.x_groq?.usage;
        if (!usage) continue;
        outcome.usage = usage;
        if (chunk.type === undefined && (chunk.choices ?? []).length === 0) usageOnly = true;
      } catch {
        // not JSON: nothing to read
      }
    }
    return usageOnly;
  }

  /** The whole events at the front of `bytes` that the client should see, and the rest (an event not yet ended). */
  function split(bytes: Buffer): { out: Buffer[]; rest: Buffer } {
    const text = bytes.toString('latin1');
    const out: Buffer[] = [];
    let start = 0; // first byte not yet handed on or dropped
    let at = 0;
    const crlf = text.includes('\r');
    for (let next = eventEnd(text, at, crlf); next !== -1; next = eventEnd(text, at, crlf)) {
      if (!inspect(text.slice(at, next))) {
        if (at > start) out.push(bytes.subarray(start, at));
        start = next;
      }
      at = next;
    }
    // Usually every event is whole and kept: the chunk goes on as it came.
    if (start === 0 && at === bytes.length) return { out: [bytes], rest: EMPTY };
    if (at > start) out.push(bytes.subarray(start, at));
    return { out, rest: bytes.subarray(at) };
  }

  return {
    chunk(value) {
      const bytes = pending.byteLength > 0 ? Buffer.concat([pending, value]) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      const { out, rest } = split(bytes);
      // A copy of what is held back: `value` belongs to the upstream's reader.
      pending = rest.byteLength > 0 ? Buffer.from(rest) : EMPTY;
      return out;
    },
    end() {
      // A last event without its blank line still counts (and may still be the usage chunk).
      const text = pending.toString('latin1');
      const last = text.trim() && inspect(text) ? pending : null;
      const settled = end(null);
      return settled ? settled.then(() => last) : last;
    },
    fail() {
      // The upstream connection broke mid-stream: tell the client in-band, then end.
      void end('upstream');
      return upstreamBroke();
    },
    cancel() {
      void end('client');
    },
  };
}
