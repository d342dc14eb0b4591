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
//
// The server itself comes from that bundle too (lib/server/http-server.ts): before any route, it
// refuses TRACE/TRACK/CONNECT (405) and request targets that are not paths (400), and bounds
// every connection (request head, body, idle keep-alive, the number open). SIGTERM and SIGINT
// shut down gracefully: no new connections, the requests in flight finish (SHUTDOWN_TIMEOUT_MS),
// then the background work stops and the process exits 0.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

const { values } = parseArgs({
  options: { port: { type: 'string', short: 'p', default: '3000' }, hostname: { type: 'string', short: 'H', default: '0.0.0.0' } },
});
const port = Number(values.port);
const hostname = values.hostname;

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
  console.error('The /v1 and /proxy hot paths are not built: run `npm run build` first.');
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
  console.log(`Conduit ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
});

let stopping = false;
async function stop(signal) {
  if (stopping) {
    console.error(`[server] ${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(`[server] ${signal}: no new connections; letting the requests in flight finish`);
  const { cut } = await hotPath.closeServer(server);
  if (cut > 0) console.error(`[server] ${cut} request(s) still running at SHUTDOWN_TIMEOUT_MS were cut`);
  await hotPath.shutdown();
  console.log('[server] stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
