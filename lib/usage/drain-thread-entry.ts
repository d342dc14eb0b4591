import { parentPort } from 'node:worker_threads';
import client from 'prom-client';
import { assumeMigrated, closeDatabase } from '@/db';
import { webhooksSettled } from '@/lib/alerts/evaluate';
import { metrics } from '@/lib/observability/metrics';
import { closeSharedRedis } from '@/lib/redis/client';
import { startUsageDrain, stopUsageDrain, topUpsSettled } from './drain';

/**
 * The drain thread's own program (drain-thread.ts starts it; `npm run build` bundles it to
 * .next/conduit/drain-thread.mjs): the drain loop of drain.ts with connections of its own, its
 * metrics for the serving thread to merge into /metrics, and a graceful stop when asked.
 */

if (!parentPort) throw new Error('drain-thread-entry runs as a worker thread (lib/usage/drain-thread.ts starts it)');
const port = parentPort;

// The serving thread migrated the database before starting this one (Next's instrumentation).
assumeMigrated();
metrics();
startUsageDrain();

/** How long a stop waits for automatic top-ups and alert webhooks its passes started. */
const SETTLE_MS = 1_000;

port.on('message', (message: { type: 'metrics'; id: number } | { type: 'stop' }) => {
  if (message.type === 'metrics') {
    void client.register.getMetricsAsJSON().then((json) => port.postMessage({ type: 'metrics', id: message.id, metrics: json }));
    return;
  }
  void stop();
});

/**
 * The pass in hand finishes and the consumer retires (drain.ts); top-ups and webhooks started by
 * earlier passes get a moment (as before the thread, a process exit cuts what is left: a top-up is
 * checked again when the account is next charged, a webhook is best-effort); then the connections close and the
 * thread ends — at once, whatever timers a library left behind.
 */
async function stop(): Promise<void> {
  try {
    await stopUsageDrain();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_MS)));
    await Promise.race([Promise.all([topUpsSettled(), webhooksSettled()]), late]);
    clearTimeout(timer);
    await Promise.allSettled([closeSharedRedis(), closeDatabase()]);
  } finally {
    process.exit(0);
  }
}
