import { relayStream, type RelaySteps } from '@/lib/server/relay-response';

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
  prompt_tokens_details?: { cached_tokens?: number } | null;
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
  onEnd(outcome: StreamOutcome): void;
}

const encoder = new TextEncoder();

const upstreamBroke = () =>
  encoder.encode(
    `data: ${JSON.stringify({
      error: { message: 'The upstream provider ended the stream unexpectedly.', type: 'api_error', param: null, code: 'upstream_stream_error' },
    })}\n\n`,
  );

// Needles as bytes once: Buffer#indexOf would encode a string needle on every call.
const bytesOf = (text: string) => Buffer.from(text, 'latin1');
const LF_LF = bytesOf('\n\n');
const CRLF_CRLF = bytesOf('\r\n\r\n');
const USAGE_KEY = bytesOf('"usage"');
const TEXT_KEYS = ['"content"', '"text"', '"refusal"'].map(bytesOf);
const TOOL_CALLS_KEY = bytesOf('"tool_calls"');
const CR = 0x0d;

/** Where the event starting at `from` ends (just past its blank line), or -1 if it has not ended yet. */
function eventEnd(bytes: Buffer, from: number, crlf: boolean): number {
  const lf = bytes.indexOf(LF_LF, from);
  if (!crlf) return lf === -1 ? -1 : lf + 2;
  const crlfAt = bytes.indexOf(CRLF_CRLF, from);
  if (lf === -1) return crlfAt === -1 ? -1 : crlfAt + 4;
  return crlfAt === -1 || lf < crlfAt ? lf + 2 : crlfAt + 4;
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;

/** Where the JSON value of `"key":` starts in `event` (spaces skipped), or -1. */
function valueAt(event: Buffer, key: Buffer): number {
  for (let at = event.indexOf(key); at !== -1; at = event.indexOf(key, at + 1)) {
    let i = at + key.length;
    while (SPACE.has(event[i]!)) i++;
    if (event[i] !== 0x3a) continue; // ':' — a key, not the same text inside a string
    i++;
    while (SPACE.has(event[i]!)) i++;
    if (i < event.length) return i;
  }
  return -1;
}

/**
 * Output in a chat or completion chunk: a non-empty content, text or refusal string, or a tool
 * call. Inside a JSON string the quotes of `"content"` would be escaped, so only keys match.
 */
function carriesOutput(event: Buffer): boolean {
  // Most events are content deltas: the first key decides them in one search.
  for (const key of TEXT_KEYS) {
    const at = valueAt(event, key);
    if (at === -1) continue;
    // A string value, and not the empty one (its opening quote followed by the closing one).
    if (event[at] === QUOTE && event[at + 1] !== QUOTE) return true;
  }
  const tools = valueAt(event, TOOL_CALLS_KEY);
  return tools !== -1 && event[tools] === 0x5b; // '['
}

/** The tap as the steps of a relay (lib/server/relay-response.ts): the gateway's streamed answers. */
export function sseTap(options: TapOptions): RelaySteps {
  const outcome: StreamOutcome = { usage: null, outputChunks: 0, firstOutputAt: null, interrupted: null };
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  const end = (interrupted: StreamOutcome['interrupted']) => {
    if (ended) return;
    ended = true;
    outcome.interrupted = interrupted;
    options.onEnd(outcome);
  };

  /** Reads one event; true when it should reach the client. */
  function inspect(event: Buffer): boolean {
    // OpenAI puts `"usage":null` in every chunk once usage is asked for; only an object counts.
    if (carriesOutput(event)) {
      outcome.outputChunks += 1;
      outcome.firstOutputAt ??= Date.now();
    }
    const usage = valueAt(event, USAGE_KEY);
    return !(usage !== -1 && event[usage] === 0x7b && absorbUsage(event.toString('utf8')) && !options.showUsage);
  }

  /** Takes the usage from an event's data lines; true when the event is nothing but usage (no choices). */
  function absorbUsage(event: string): boolean {
    let usageOnly = false;
    for (const line of event.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      try {
        const chunk = JSON.parse(line.slice(5)) as { usage?: OpenAIUsage | null; choices?: unknown[] };
        if (!chunk.usage) continue;
        outcome.usage = chunk.usage;
        if ((chunk.choices ?? []).length === 0) usageOnly = true;
      } catch {
        // not JSON: nothing to read
      }
    }
    return usageOnly;
  }

  /** The whole events at the front of `bytes` that the client should see, and the rest (an event not yet ended). */
  function split(bytes: Buffer): { out: Buffer[]; rest: Buffer } {
    const out: Buffer[] = [];
    let start = 0; // first byte not yet handed on or dropped
    let at = 0;
    const crlf = bytes.indexOf(CR) !== -1;
    for (let next = eventEnd(bytes, at, crlf); next !== -1; next = eventEnd(bytes, at, crlf)) {
      if (!inspect(bytes.subarray(at, next))) {
        if (at > start) out.push(bytes.subarray(start, at));
        start = next;
      }
      at = next;
    }
    if (at > start) out.push(bytes.subarray(start, at));
    return { out, rest: bytes.subarray(at) };
  }

  return {
    chunk(value) {
      const bytes = pending.byteLength > 0 ? Buffer.concat([pending, value]) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      const { out, rest } = split(bytes);
      // A copy of what is held back: `value` belongs to the upstream's reader.
      pending = rest.byteLength > 0 ? Buffer.from(rest) : Buffer.alloc(0);
      return out;
    },
    end() {
      // A last event without its blank line still counts (and may still be the usage chunk).
      const last = pending.byteLength > 0 && pending.toString('latin1').trim() && inspect(pending) ? pending : null;
      end(null);
      return last;
    },
    fail() {
      // The upstream connection broke mid-stream: tell the client in-band, then end.
      end('upstream');
      return upstreamBroke();
    },
    cancel() {
      end('client');
    },
  };
}

/** The tap as a stream of its own (what a reader other than the lean entry sees). */
export const tapStream = (upstream: ReadableStream<Uint8Array>, options: TapOptions): ReadableStream<Uint8Array> => relayStream(upstream, sseTap(options));
