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
import next from 'next';

const { values } = parseArgs({
  options: { port: { type: 'string', short: 'p', default: '3000' }, hostname: { type: 'string', short: 'H', default: '0.0.0.0' } },
});
const port = Number(values.port);
const hostname = values.hostname;

const app = next({ dev: false, hostname, port });
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
