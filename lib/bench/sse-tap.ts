/**
 * npm run bench:tap — the gateway's SSE tap (lib/gateway/sse-tap.ts) alone: its CPU per streamed
 * answer of 19 events (role, 16 content deltas with OpenAI's `"usage":null`, the usage chunk,
 * [DONE]), each event its own upstream chunk — the worst case for per-chunk work. Five rounds of
 * 20,000 answers; the first warms the JIT.
 */
import { sseTap } from '@/lib/gateway/sse-tap';

const event = (payload: unknown) => Buffer.from(`data: ${JSON.stringify(payload)}\n\n`);
const delta = (content: string) =>
  event({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }], usage: null });
const events = [
  delta(''),
  ...Array.from({ length: 16 }, (_, i) => delta(`word${i} `)),
  event({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 20, completion_tokens: 16 } }),
  Buffer.from('data: [DONE]\n\n'),
];

const ANSWERS = 20_000;
let ended = 0;
for (let round = 1; round <= 5; round++) {
  const started = performance.now();
  for (let i = 0; i < ANSWERS; i++) {
    const tap = sseTap({ showUsage: false, onEnd: () => void ended++ });
    for (const chunk of events) tap.chunk(chunk);
    tap.end();
  }
  const micros = ((performance.now() - started) * 1000) / ANSWERS;
  console.log(`round ${round}${round === 1 ? ' (warm-up)' : ''}: ${micros.toFixed(1)} µs per answer of ${events.length} events (${(micros / events.length).toFixed(2)} µs per event)`);
}
if (ended !== 5 * ANSWERS) throw new Error(`the tap ended ${ended} answers of ${5 * ANSWERS}`);
