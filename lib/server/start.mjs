// Production entry: `npm start` → node lib/server/start.mjs [--port 3000] [--hostname 0.0.0.0]
// (or PORT and HOSTNAME, as Next's standalone server reads them; the flags win).
//
// On every core: with PostgreSQL and a shared Redis configured, one worker process per core
// (node:cluster; WEB_CONCURRENCY overrides the count), all listening on the one port, forked by
// a primary that does nothing else (lib/server/primary.mjs). The embedded default runs one
// process: its in-process database and store cannot be shared between processes.
//
// Two reasons not to use `next start`:
// 1. Next keeps a client-supplied X-Forwarded-For as it is, and route handlers never see the
//    TCP peer, so a client could pick its own IP for rate limits and IP allowlists. This entry
//    appends the peer's address before any handler sees the request; lib/request-ip.ts then
//    trusts only the TRUSTED_PROXY_COUNT entries added by our own proxies.
// 2. The forwarding hot paths (/v1/*, /proxy/* and {linkId}.{PROXY_DOMAIN}) are served straight
//    from node:http by the bundle that `npm run build` makes (lib/server/hot-path.ts), without
//    Next's per-request overhead. Everything else — pages, server actions, /api — goes to Next.
//
// The server itself comes from that bundle too (lib/server/http-server.ts): before any route, it
// refuses TRACE/TRACK/CONNECT (405) and request targets that are not paths (400), and bounds
// every connection (request head, body, idle keep-alive, the number open). SIGTERM and SIGINT
// shut down gracefully: no new connections, the requests in flight finish (SHUTDOWN_TIMEOUT_MS),
// then the background work stops and the process exits 0.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { log } from './log-line.mjs';
import { workerCount } from './workers.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', short: 'p' }, hostname: { type: 'string', short: 'H' } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME ?? '0.0.0.0';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  log.error(`The port must be a whole number from 0 to 65535 (got ${JSON.stringify(values.port ?? process.env.PORT)}).`);
  process.exit(1);
}

const workers = workerCount(process.env);
if (!workers.ok) {
  log.error(workers.message);
  process.exit(1);
}
if (cluster.isPrimary && workers.count > 1) {
  const { runPrimary } = await import('./primary.mjs');
  runPrimary({ workers: workers.count, port, hostname });
} else {
  const { runWorker } = await import('./worker.mjs');
  await runWorker({ port, hostname });
}
