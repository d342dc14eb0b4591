// Production entry: `npm start` → node lib/server/start.mjs [--port 3000] [--hostname 0.0.0.0]
//
// Why not `next start`: Next keeps a client-supplied X-Forwarded-For as it is, and route
// handlers never see the TCP peer, so a client could pick its own IP for rate limits and IP
// allowlists. This entry appends the peer's address to X-Forwarded-For before Next sees the
// request; lib/request-ip.ts then trusts only the TRUSTED_PROXY_COUNT entries added by our
// own proxies plus this one.
import http from 'node:http';
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

http
  .createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    const forwarded = req.headers['x-forwarded-for'];
    const prior = Array.isArray(forwarded) ? forwarded.join(', ') : forwarded;
    req.headers['x-forwarded-for'] = prior ? `${prior}, ${peer}` : peer;
    handle(req, res);
  })
  .listen(port, hostname, () => {
    console.log(`Conduit ready on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
