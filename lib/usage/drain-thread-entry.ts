import { parentPort } from 'node:worker_threads';
import client from 'prom-client';
import { closeDatabase } from '@/db';
import { metrics } from '@/lib/observability/metrics';
import { closeSharedRedis } from '@/lib/redis/client';
import { startUsageDrain, stopUsageDrain } from './drain';

/**
 * The drain thread's own program (drain-thread.ts starts it; `npm run build` bundles it to
 * .next/conduit/drain-thread.mjs): the drain loop of drain.ts with connections of its own, its
 * metrics for the serving thread to merge into /metrics, and a graceful stop when asked.
 */

if (!parentPort) throw new Error('drain-thread-entry runs as a worker thread (lib/usage/drain-thread.ts starts it)');
const port = parentPort;

metrics();
startUsageDrain();

port.on('message', (message: { type: 'metrics'; id: number } | { type: 'stop' }) => {
  if (message.type === 'metrics') {
    void client.register.getMetricsAsJSON().then((json) => port.postMessage({ type: 'metrics', id: message.id, metrics: json }));
    return;
  }
  // The pass in hand finishes and the consumer retires (drain.ts); then the connections close and,
  // with nothing left to wait on, the thread ends.
  void stopUsageDrain()
    .then(() => Promise.allSettled([closeSharedRedis(), closeDatabase()]))
    .finally(() => port.close());
});
