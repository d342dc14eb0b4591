import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Child entry: the baseline the gateway is compared with — the least a forwarder can do in Node
 * (node:http in, fetch out, body piped back chunk by chunk), with no checks at all. It swaps the
 * client's key for the upstream's, as any forwarder must. Usage:
 *   node --import tsx lib/bench/bare-forwarder.ts <upstreamUrl> <upstreamApiKey>
 */
const [upstream, apiKey] = process.argv.slice(2);

const server = createServer((req, res) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await fetch(`${upstream}${req.url}`, {
      method: req.method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    const reader = answer.body?.getReader();
    // Chunk by chunk, so SSE events are not held back; wait for 'drain' as a real proxy would.
    for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
      if (!res.write(next.value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  })().catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
});

server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
