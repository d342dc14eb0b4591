/**
 * Passes an OpenAI SSE stream through to the client as it arrives (one upstream read, one
 * enqueue — nothing waits for the whole answer), while reading the usage the provider reports
 * at the end. The usage chunk is dropped for clients that did not ask for it (the gateway asks
 * upstream on their behalf, so their output must look as if it had not).
 */

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

export interface StreamOutcome {
  usage: OpenAIUsage | null;
  /** Chunks that carried output: about one token each, for billing a stream cut short. */
  outputChunks: number;
  firstOutputAt: number | null;
  /** Why the stream ended early, if it did. */
  interrupted: 'upstream' | 'client' | null;
}

interface TapOptions {
  showUsage: boolean;
  onEnd(outcome: StreamOutcome): void;
  /** Called when the client goes away: the upstream request must stop too. */
  abortUpstream(): void;
}

const encoder = new TextEncoder();

const upstreamBroke = () =>
  `data: ${JSON.stringify({
    error: { message: 'The upstream provider ended the stream unexpectedly.', type: 'api_error', param: null, code: 'upstream_stream_error' },
  })}\n\n`;

export function tapStream(upstream: ReadableStream<Uint8Array>, options: TapOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const outcome: StreamOutcome = { usage: null, outputChunks: 0, firstOutputAt: null, interrupted: null };
  let buffer = '';
  let ended = false;
  const end = (interrupted: StreamOutcome['interrupted']) => {
    if (ended) return;
    ended = true;
    outcome.interrupted = interrupted;
    options.onEnd(outcome);
  };

  /** True when the event should reach the client. */
  function inspect(event: string): boolean {
    for (const line of event.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (!data.startsWith('{')) continue;
      let chunk: { usage?: OpenAIUsage | null; choices?: { delta?: Record<string, unknown>; text?: string }[] };
      try {
        chunk = JSON.parse(data);
      } catch {
        continue;
      }
      if (chunk.usage) outcome.usage = chunk.usage;
      const choices = chunk.choices ?? [];
      if (choices.some((c) => c.text || c.delta?.content || c.delta?.tool_calls || c.delta?.refusal)) {
        outcome.outputChunks += 1;
        outcome.firstOutputAt ??= Date.now();
      }
      if (chunk.usage && choices.length === 0 && !options.showUsage) return false;
    }
    return true;
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Keep reading until there is something to hand on: a pull that enqueues nothing is not
      // called again, and the stream would stall.
      let out = '';
      try {
        while (!out) {
          const { done, value } = await reader.read();
          if (done) {
            // A last event without its blank line still counts (and may still be the usage chunk).
            buffer += decoder.decode();
            if (buffer.trim() && inspect(buffer)) controller.enqueue(encoder.encode(buffer));
            controller.close();
            end(null);
            return;
          }
          buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n/g, '\n');
          for (let at = buffer.indexOf('\n\n'); at !== -1; at = buffer.indexOf('\n\n')) {
            const event = buffer.slice(0, at + 2);
            buffer = buffer.slice(at + 2);
            if (inspect(event)) out += event;
          }
        }
        controller.enqueue(encoder.encode(out));
      } catch {
        // The upstream connection broke mid-stream: tell the client in-band, then end.
        controller.enqueue(encoder.encode(out + upstreamBroke()));
        controller.close();
        end('upstream');
      }
    },
    cancel(reason) {
      options.abortUpstream();
      reader.cancel(reason).catch(() => {});
      end('client');
    },
  });
}
