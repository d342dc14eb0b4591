import 'server-only';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves a Web-standard `(Request) => Promise<Response>` handler with node:http. */

export type WebHandler = (request: Request) => Promise<Response>;

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

// Bounded so a client cannot make us buffer an unlimited body in memory (Upstash's own request
// limit is of the same order).
const MAX_BODY_BYTES = 10 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>) {
  res.writeHead(status, headers).end(body);
}

async function respond(handler: WebHandler, req: IncomingMessage, res: ServerResponse) {
  const jsonHeader = { 'content-type': 'application/json' };
  try {
    const body = await readBody(req);
    if (body === null) return send(res, 413, JSON.stringify({ error: 'ERR request body too large' }), jsonHeader);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const method = req.method ?? 'GET';
    // Only the path matters to the handler; a fixed origin keeps a forged Host header out of it.
    const request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    });
    const response = await handler(request);
    send(res, response.status, await response.text(), Object.fromEntries(response.headers));
  } catch (error) {
    console.error('[http] request failed:', error);
    if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'ERR internal error' }), jsonHeader);
    else res.destroy();
  }
}

/** Listens on `port` (0 = any free port); resolves once the server accepts connections. */
export function serveWebHandler(handler: WebHandler, options: { port: number; host?: string }): Promise<RunningServer> {
  const server = createServer((req, res) => void respond(handler, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
          }),
      });
    });
  });
}
