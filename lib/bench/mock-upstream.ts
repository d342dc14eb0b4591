import { startMockOpenAI } from '../testing/mock-openai';

/**
 * Child entry: the mock OpenAI upstream in a process of its own, so it does not share an event
 * loop with the load generator. Usage: node --import tsx lib/bench/mock-upstream.ts <apiKey>
 *
 * No chunk delay by default (the load runs measure the gateway, not a simulated model) and no
 * request recording (it would grow the heap by every request). The parent can set a chunk delay
 * over IPC ({ chunkDelayMs }) for the check that streams reach the client chunk by chunk.
 */
let chunkDelayMs = 0;
const mock = await startMockOpenAI({ apiKey: process.argv[2], chunkDelayMs: () => chunkDelayMs, record: false });

process.on('message', (message: { chunkDelayMs?: number }) => {
  if (typeof message.chunkDelayMs === 'number') chunkDelayMs = message.chunkDelayMs;
  process.send?.({ ok: true });
});
// The parent is gone (even killed with SIGKILL): don't outlive it.
process.on('disconnect', () => void mock.close().finally(() => process.exit(0)));
process.send?.({ url: mock.url });
