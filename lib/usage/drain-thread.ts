import 'server-only';
import cluster from 'node:cluster';
import { Worker } from 'node:worker_threads';
import client from 'prom-client';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'usage' });

/**
 * The usage drain on a thread of its own, for `npm start` on PostgreSQL and a shared Redis
 * (lib/startup.ts decides where it runs). A pass decodes up to a thousand records, builds their rows
 * and rollups and leaves their garbage behind: on the serving thread every request in flight waited
 * through it (bench:drain: event-loop delay p99 ~6 ms per pass) and paid for its collections. On a
 * thread, with its own heap and its own Redis and PostgreSQL connections, it uses the cores'
 * spare time instead. Nothing else changes: the same loop (drain.ts), the same consumer protocol
 * (a thread that dies leaves its batch claimed, and it is taken over as a dead process's would be).
 *
 * The thread runs drain-thread-entry.ts, bundled beside the hot path by `npm run build`. Its
 * metrics (records drained, drain lag, dependency errors) live in its own prom-client registry;
 * /metrics merges them in (threadRegistry, below). As with a worker process replaced under a
 * primary, a thread that dies takes its counts with it: the merged counter goes down once, which
 * Prometheus's rate() reads as a counter reset.
 */

type ToThread = { type: 'metrics'; id: number } | { type: 'stop' };
interface FromThread {
  type: 'metrics';
  id: number;
  metrics: client.MetricObjectWithValues<client.MetricValue<string>>[];
}

/** A thread that keeps dying waits longer each time before the next one: 1 s, doubling to 30 s. */
const FIRST_RESTART_MS = 1_000;
const MAX_RESTART_MS = 30_000;
/** A thread that ran this long before dying is restarted after the first pause again. */
const HEALTHY_MS = 60_000;
/** How long a scrape waits for the thread's metrics before answering without them. */
const METRICS_WAIT_MS = 2_000;

interface Running {
  worker: Worker;
  startedAt: number;
}

interface State {
  entry?: URL;
  running?: Running;
  restartTimer?: NodeJS.Timeout;
  pauseMs: number;
  stopping: boolean;
  nextId: number;
  waiting: Map<number, (answer: FromThread) => void>;
}
// On globalThis: Next's bundle and the hot-path bundle each have a copy of this module, and
// /metrics must find the thread whichever copy started it.
const STATE = Symbol.for('conduit.usage.drain-thread');
const state: State = ((globalThis as Record<symbol, State>)[STATE] ??= { pauseMs: FIRST_RESTART_MS, stopping: false, nextId: 0, waiting: new Map() });

/** Starts the drain thread from `threadEntry` (the bundled drain-thread-entry), once per process. */
export function startDrainThread(threadEntry: URL): void {
  if (state.entry) return;
  state.entry = threadEntry;
  state.stopping = false;
  // A worker of several answers its primary with every registry listed here (metrics.ts set it up).
  if (cluster.isWorker) client.AggregatorRegistry.setRegistries([client.register, threadRegistry]);
  spawn();
}

function spawn(): void {
  const worker = new Worker(state.entry!);
  const run: Running = { worker, startedAt: Date.now() };
  state.running = run;
  worker.on('message', (message: FromThread) => state.waiting.get(message.id)?.(message));
  worker.on('error', (error) => log.error({ err: error }, 'the usage drain thread failed'));
  worker.on('exit', (code) => {
    if (state.running === run) state.running = undefined;
    if (state.stopping) return;
    const pause = Date.now() - run.startedAt >= HEALTHY_MS ? FIRST_RESTART_MS : state.pauseMs;
    log.error({ exit: code, retryInMs: pause }, 'the usage drain thread stopped: starting another');
    state.restartTimer = setTimeout(spawn, pause);
    state.restartTimer.unref();
    state.pauseMs = Math.min(pause * 2, MAX_RESTART_MS);
  });
  // The thread alone never keeps the process alive (the server's listener does).
  worker.unref();
}

/** Whether this process runs its drain on a thread (startDrainThread was called). */
export function drainThreadStarted(): boolean {
  return state.entry !== undefined;
}

/**
 * Asks the thread to finish its pass and retire its consumer (a graceful shutdown), and waits for
 * it to end; after `timeoutMs` it is terminated (its batch, if any, stays claimed and is taken over).
 */
export async function stopDrainThread(timeoutMs: number): Promise<void> {
  state.stopping = true;
  clearTimeout(state.restartTimer);
  state.entry = undefined;
  const run = state.running;
  if (!run) return;
  const ended = new Promise<void>((resolve) => run.worker.once('exit', () => resolve()));
  post(run.worker, { type: 'stop' });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  if ((await Promise.race([ended, late])) === 'late') {
    log.error({ ms: timeoutMs }, 'the usage drain thread did not stop in time: terminating it');
    await run.worker.terminate();
  }
  clearTimeout(timer);
}

function post(worker: Worker, message: ToThread): void {
  worker.postMessage(message);
}

/** The thread's metrics as prom-client JSON; none when no thread runs or it does not answer in time. */
async function threadMetrics(): Promise<client.MetricObjectWithValues<client.MetricValue<string>>[]> {
  const run = state.running;
  if (!run) return [];
  const id = ++state.nextId;
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish([]), METRICS_WAIT_MS);
    function finish(metrics: client.MetricObjectWithValues<client.MetricValue<string>>[]) {
      clearTimeout(timer);
      state.waiting.delete(id);
      resolve(metrics);
    }
    state.waiting.set(id, (answer) => finish(answer.metrics));
    post(run.worker, { type: 'metrics', id });
  });
}

/**
 * A registry whose metrics are the drain thread's, for prom-client's aggregation: beside the
 * default registry in a worker's answer to its primary (AggregatorRegistry.setRegistries), and
 * merged with it when this process answers /metrics alone (metrics-endpoint.ts).
 */
class ThreadRegistry extends client.Registry {
  override getMetricsAsJSON(): Promise<client.MetricObjectWithValues<client.MetricValue<string>>[]> {
    return threadMetrics();
  }
}
export const threadRegistry = new ThreadRegistry();
