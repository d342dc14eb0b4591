// The primary of `npm start` on several cores (node:cluster): it forks one worker per core, each a
// whole Conduit server (start.mjs's worker half) listening on the same port, and does nothing else
// — no Next.js, no database, no Redis — so nothing in it can fail under load.
//
// - Background work (usage drain, alerts, reservation sweeper, retention) runs in worker 0 only
//   (CONDUIT_WORKER=0): one drain per machine is enough, and it is what other machines' instances
//   share the queue with. A worker 0 that dies is forked again with the same index.
// - Until every worker first listens, a worker that exits stops the whole server with its exit code
//   (bad configuration, a database it cannot migrate): better than a fork loop that never serves.
//   After that, a worker that dies is replaced — after 1 s, doubling to 30 s while replacements
//   keep dying before they listen (PostgreSQL down during a restart); the healthy ones serve on.
// - SIGTERM / SIGINT: every worker drains its requests and stops (start.mjs), then the primary exits
//   0; a second signal kills them at once.
// - /metrics: a worker asks the primary, which gathers every worker's registry (prom-client's
//   AggregatorRegistry) so a scrape sees the whole server, whichever worker it reaches.
import cluster from 'node:cluster';
import prom from 'prom-client';
import { log } from './log-line.mjs';

const FIRST_RESPAWN_MS = 1_000;
const MAX_RESPAWN_MS = 30_000;

export const METRICS_REQUEST = 'conduit:metrics-request';
export const METRICS_ANSWER = 'conduit:metrics-answer';

/** Runs the primary until every worker has stopped; never returns. */
export function runPrimary({ workers, port, hostname }) {
  const aggregator = new prom.AggregatorRegistry();
  /** Workers alive (forked, not yet exited): cluster.workers lags behind `exit` until `disconnect`. */
  const alive = new Set();
  const listening = new Set();
  /** Per index: the pause before the next replacement, doubled while replacements die unready. */
  const pauses = new Map();
  let serving = false;
  let stopping = false;

  const fork = (index) => {
    const worker = cluster.fork({ CONDUIT_WORKER: String(index), CONDUIT_WORKERS: String(workers) });
    alive.add(worker);
    worker.on('listening', () => {
      listening.add(worker);
      pauses.delete(index);
      if (!serving && listening.size === workers && !stopping) {
        serving = true;
        log.info('Conduit ready', { url: `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`, workers });
      }
    });
    worker.on('message', (message) => {
      if (message?.type !== METRICS_REQUEST) return;
      aggregator.clusterMetrics().then(
        (text) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: message.id, text }),
        (error) => worker.isConnected() && worker.send({ type: METRICS_ANSWER, id: message.id, error: String(error?.message ?? error) }),
      );
    });
    worker.on('exit', (code, signal) => {
      alive.delete(worker);
      const wasListening = listening.delete(worker);
      if (stopping) {
        if (alive.size === 0) {
          log.info('stopped');
          process.exit(0);
        }
        return;
      }
      if (!serving) {
        log.error('a worker exited before the server could serve: stopping', { worker: index, exit: signal ?? code });
        stopping = true;
        for (const other of alive) other.process.kill('SIGKILL');
        process.exit(typeof code === 'number' && code !== 0 ? code : 1);
      }
      const pause = wasListening ? FIRST_RESPAWN_MS : Math.min((pauses.get(index) ?? FIRST_RESPAWN_MS / 2) * 2, MAX_RESPAWN_MS);
      pauses.set(index, pause);
      log.error(wasListening ? 'a worker died: starting another' : 'a replacement worker exited before it could serve: trying again', {
        worker: index,
        exit: signal ?? code,
        retryInMs: pause,
      });
      setTimeout(() => !stopping && fork(index), pause).unref();
    });
  };

  for (let index = 0; index < workers; index++) fork(index);

  const stop = (signal) => {
    if (stopping) {
      log.error('signalled again: exiting now', { signal });
      for (const worker of alive) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    log.info('stopping: the workers finish their requests and stop', { signal, workers });
    // A terminal's Ctrl-C reaches the workers too (same process group); a second SIGINT to a
    // worker would make it exit at once, so only SIGTERM is sent — harmless either way: a stopping
    // worker ignores a repeated SIGTERM.
    for (const worker of alive) worker.process.kill('SIGTERM');
    if (alive.size === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
