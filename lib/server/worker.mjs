// One Conduit server process: the whole server when `npm start` runs one process, a worker of
// lib/server/primary.mjs otherwise (start.mjs says which, and why the server is built this way).

import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import next from 'next';
import prom from 'prom-client';
import { log } from './log-line.mjs';

/** Serves on port/hostname until SIGTERM or SIGINT, then stops gracefully and exits. */
export async function runWorker({ port, hostname }) {
  // Under a primary, answer its calls for this worker's metrics from the start: a scrape during a
  // worker's replacement would otherwise wait for the seconds it takes to load the app, and fail.
  if (cluster.isWorker) new prom.AggregatorRegistry();
  // Next attaches its WebSocket handler (dev HMR, rewrites to WebSocket upstreams: Conduit uses
  // neither) to `httpServer`, or else to the server of the first request it sees. On ours, every
  // request with an Upgrade header (curl --http2's h2c upgrade too) would go to it and have its
  // connection closed unanswered; given a stand-in, node:http answers them as ordinary requests.
  const app = next({ dev: false, hostname, port, httpServer: new EventEmitter() });
  const handle = app.getRequestHandler();
  await app.prepare();

  // CONDUIT_HOT_PATH_BUNDLE: another build of the hot path (the benchmark runs an older one beside
  // the current build to compare them; it must sit inside the project, for its imports to resolve).
  const bundle = path.resolve(process.env.CONDUIT_HOT_PATH_BUNDLE ?? '.next/conduit/hot-path.mjs');
  if (!existsSync(bundle)) {
    log.error('The /v1 and /proxy hot paths are not built: run `npm run build` first.');
    process.exit(1);
  }
  const hotPath = await import(pathToFileURL(bundle).href);

  function appendPeer(req) {
    const peer = req.socket.remoteAddress ?? '';
    const forwarded = req.headers['x-forwarded-for'];
    const prior = Array.isArray(forwarded) ? forwarded.join(', ') : forwarded;
    req.headers['x-forwarded-for'] = prior ? `${prior}, ${peer}` : peer;
  }

  // Each listener returns its promise: the server knows when a request's handler is done.
  const server = hotPath.createServer((req, res) => {
    // The hot path's adapter appends the peer itself.
    if (hotPath.isHotPath(req)) return hotPath.serveHotPath(req, res);
    appendPeer(req);
    return handle(req, res);
  });
  server.listen(port, hostname, () => {
    // In a cluster the primary says it once every worker listens.
    if (cluster.isPrimary) log.info('Conduit ready', { url: `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}` });
  });

  let stopping = false;
  async function stop(signal) {
    if (stopping) {
      // A worker is told by its primary (which kills it on a second signal of its own): a terminal's
      // Ctrl-C reaching both must not turn a graceful stop into an abrupt one.
      if (cluster.isWorker) return;
      log.error('signalled again: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping: no new connections; letting the requests in flight finish', { signal });
    const { cut } = await hotPath.closeServer(server);
    if (cut > 0) log.error('requests still running at SHUTDOWN_TIMEOUT_MS were cut', { cut });
    await hotPath.shutdown();
    log.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
