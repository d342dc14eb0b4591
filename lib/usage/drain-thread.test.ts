import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDrainThread, stopDrainThread, threadRegistry } from './drain-thread';

/**
 * The drain thread's keeper (drain-thread.ts), with stand-in thread programs: the real one is the
 * bundled drain, exercised against the production build by e2e/faults (operations, process).
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A thread program in a file of its own; `starts` counts how many times it was started. */
function program(body: string): { url: URL; starts: () => number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'conduit-drain-thread-'));
  const marker = path.join(dir, 'starts');
  writeFileSync(marker, '');
  const file = path.join(dir, 'thread.mjs');
  writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';
import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(marker)}, 'x');
const starts = readFileSync(${JSON.stringify(marker)}, 'utf8').length;
${body}`,
  );
  return { url: pathToFileURL(file), starts: () => readFileSync(marker, 'utf8').length };
}

afterEach(() => stopDrainThread(1_000));

describe('the usage drain thread', () => {
  it('is started again when it dies, and answers for its metrics; once stopped it stays stopped', async () => {
    const { url, starts } = program(`
parentPort.on('message', (message) => {
  if (message.type === 'metrics') {
    parentPort.postMessage({ type: 'metrics', id: message.id, metrics: [{ name: 'conduit_thread_starts', help: 'starts', type: 'gauge', aggregator: 'max', values: [{ value: starts, labels: {} }] }] });
  } else if (message.type === 'stop') {
    parentPort.close();
  }
});
// The first one dies (an uncaught error), its replacement runs on.
if (starts === 1) setTimeout(() => { throw new Error('drain thread crashed'); }, 20);
`);
    startDrainThread(url);
    await vi.waitFor(() => expect(starts()).toBe(2), { timeout: 5_000, interval: 50 });
    await vi.waitFor(async () => expect((await threadRegistry.getMetricsAsJSON())[0]?.values[0]?.value).toBe(2), { timeout: 5_000, interval: 50 });

    await stopDrainThread(2_000);
    expect(await threadRegistry.getMetricsAsJSON()).toEqual([]);
    await sleep(1_500); // longer than the first restart's pause
    expect(starts()).toBe(2);
  });

  it('is terminated when it does not stop in time, so a shutdown is never held by it', async () => {
    const { url, starts } = program(`setInterval(() => {}, 1_000); // ignores "stop"`);
    startDrainThread(url);
    await vi.waitFor(() => expect(starts()).toBe(1), { timeout: 5_000, interval: 50 });
    const started = performance.now();
    await stopDrainThread(300);
    expect(performance.now() - started).toBeLessThan(2_000);
    await sleep(1_500);
    expect(starts()).toBe(1);
  });

  it('leaves a scrape its own metrics when the thread does not answer', async () => {
    const { url, starts } = program(`setInterval(() => {}, 1_000); // never answers`);
    startDrainThread(url);
    await vi.waitFor(() => expect(starts()).toBe(1), { timeout: 5_000, interval: 50 });
    const started = performance.now();
    expect(await threadRegistry.getMetricsAsJSON()).toEqual([]);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
