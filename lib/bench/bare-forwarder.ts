import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { readAll, relayViaRequest } from './forwarding';

/**
 * Child entry: the baselines the gateway is compared with — the least a forwarder can do in Node
 * (node:http in, the body piped back chunk by chunk), with no checks at all. It swaps the client's
 * key for the upstream's, as any forwarder must. Two HTTP clients towards the upstream:
 * - fetch: the baseline the bar is defined against;
 * - request: undici's `request()`, which Conduit itself uses (lib/gateway/upstream.ts), so the
 *   comparison with this one shows what Conduit's checks cost apart from the HTTP client.
 * Usage: node --import tsx lib/bench/bare-forwarder.ts <upstreamUrl> <upstreamApiKey> [fetch|request]
 */
const [upstream, apiKey, client = 'fetch'] = process.argv.slice(2);
const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
const agent = new Agent();

/** fetch, as the baseline defines it: the body read back with a reader, chunk by chunk. */
async function viaFetch(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = await fetch(`${upstream}${req.url}`, { method: req.method, headers, body: await readAll(req) });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  const reader = answer.body?.getReader();
  // Chunk by chunk, so SSE events are not held back; wait for 'drain' as a real proxy would.
  for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
    if (!res.write(next.value)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/** undici's request(): the body is a Node stream, relayed chunk by chunk the same way. */
async function viaRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  await relayViaRequest(agent, { origin: upstream!, headers }, req, await readAll(req), res);
  res.end();
}

const forward = client === 'request' ? viaRequest : viaFetch;

const server = createServer((req, res) => {
  forward(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
});

server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
