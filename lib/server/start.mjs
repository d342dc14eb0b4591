// Production entry: `npm start` → node lib/server/start.mjs [--port 3000] [--hostname 0.0.0.0]
//
// Two reasons not to use `next start`:
// 1. Next keeps a client-supplied X-Forwarded-For as it is, and route handlers never see the
//    TCP peer, so a client could pick its own IP for rate limits and IP allowlists. This entry
//    appends the peer's address before any handler sees the request; lib/request-ip.ts then
//    trusts only the TRUSTED_PROXY_COUNT entries added by our own proxies.
// 2. The forwarding hot paths (/v1/*, /proxy/* and {linkId}.{PROXY_DOMAIN}) are served straight
//    from node:http by the bundle that `npm run build` makes (lib/server/hot-path.ts), without
//    Next's per-request overhead. Everything else — pages, server actions, /api — goes to Next.
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import next from 'next';

const { values } = parseArgs({
  options: { port: { type: 'string', short: 'p', default: '3000' }, hostname: { type: 'string', short: 'H', default: '0.0.0.0' } },
});
const port = Number(values.port);
const hostname = values.hostname;

// On PostgreSQL the usage drain and the reservation sweeper run in a thread of their own
// (lib/server/background.ts); the embedded database (PGlite) is one per process, so without
// DATABASE_URL they stay in this thread (lib/startup.ts).
const backgroundThread = Boolean(process.env.DATABASE_URL);
if (backgroundThread) process.env.CONDUIT_BACKGROUND_THREAD = '1';

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const bundle = path.resolve('.next/conduit/hot-path.mjs');
if (!existsSync(bundle)) {
  console.error('The /v1 and /proxy hot paths are not built: run `npm run build` first.');
  process.exit(1);
}
const hotPath = await import(pathToFileURL(bundle).href);

/** Starts the background thread after the database is migrated (app.prepare()), and again if it dies. */
function startBackground() {
  const worker = new Worker(path.resolve('.next/conduit/background.mjs'));
  worker.on('error', (error) => console.error('[background] thread failed:', error));
  worker.on('exit', (code) => {
    console.error(`[background] thread exited (${code}); restarting in 5 s`);
    setTimeout(startBackground, 5_000).unref();
  });
  // The server's listener keeps the process alive; the thread must not keep it from stopping.
  worker.unref();
}
if (backgroundThread) startBackground();

function appendPeer(req) {
  const peer = req.socket.remoteAddress ?? '';
  const forwarded = req.headers['x-forwarded-for'];
  const prior = Array.isArray(forwarded) ? forwarded.join(', ') : forwarded;
  req.headers['x-forwarded-for'] = prior ? `${prior}, ${peer}` : peer;
}

http
  .createServer((req, res) => {
    // The hot path's adapter appends the peer itself.
    if (hotPath.isHotPath(req)) return void hotPath.serveHotPath(req, res);
    appendPeer(req);
    handle(req, res);
  })
  .listen(port, hostname, () => {
    console.log(`Conduit ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
