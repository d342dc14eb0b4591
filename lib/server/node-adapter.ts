import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { BytesResponse } from './bytes-response';
import { headerRecordOf, LeanResponse } from './lean-response';
import { createHttpServer, DEFAULT_LIMITS, type ServerLimits } from './http-server';
import { errorMarkOf, markError, markRequestId } from '@/lib/observability/marks';
import { logger } from '@/lib/observability/log';
import { HOT_PATH_SECURITY_HEADERS } from '@/lib/security/headers';
import { NodeRequest } from './node-request';
import { RelayResponse } from './relay-response';

const log = logger().child({ component: 'server' });

export { rawTarget } from './node-request';

/**
 * Serves a Web-standard `(Request) => Promise<Response>` with node:http, streaming both ways:
 * the request body is passed on as it arrives, the response body is written chunk by chunk
 * (SSE reaches the client as the upstream produces it), and a client that hangs up aborts
 * `request.signal`. The TCP peer is appended to X-Forwarded-For, as lib/request-ip.ts expects.
 */

export type WebHandler = (request: Request) => Promise<Response>;

/**
 * Bodies up to this size that announce their length are read whole before the handler runs
 * and handed over as bytes (see NodeRequest): every chat request fits. Anything larger, or
 * chunked, is passed on as a stream, so a big upload is never held in memory here.
 */
const BUFFERED_BODY_MAX_BYTES = 256 * 1024;

export async function toWebRequest(req: IncomingMessage, res: ServerResponse): Promise<Request> {
  const controller = new AbortController();
  // 'close' on the response before it finished means the client went away.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  // The headers as pairs, handed to the Request once (a Headers object would be validated and
  // copied twice); the TCP peer is appended to X-Forwarded-For (Node has joined repeats with ', ').
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length !== 15 || raw[i]!.toLowerCase() !== 'x-forwarded-for') headers.push([raw[i]!, raw[i + 1]!]);
  }
  const peer = req.socket.remoteAddress ?? '';
  const forwarded = req.headers['x-forwarded-for'];
  headers.push(['x-forwarded-for', forwarded ? `${String(forwarded)}, ${peer}` : peer]);
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const url = requestUrl(req.headers.host, target);
  const options = { signal: controller.signal, target };
  if (method === 'GET' || method === 'HEAD') return new NodeRequest(url, { method, headers }, options);

  const length = Number(req.headers['content-length'] ?? NaN);
  if (length <= BUFFERED_BODY_MAX_BYTES) return new NodeRequest(url, { method, headers }, { ...options, bytes: await readWhole(req) });
  const body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
  return new NodeRequest(url, { method, headers, body }, options);
}

/**
 * A Host header that is not a valid host must not turn into a 500: the handlers route by path
 * (and by the Host header themselves, for proxy link hosts).
 */
function requestUrl(host: string | undefined, target: string): string {
  // Serialised by the URL parser, as a Request's url is (lower-case host, dot segments resolved).
  try {
    return new URL(`http://${host ?? 'localhost'}${target.startsWith('/') ? target : `/${target}`}`).href;
  } catch {
    return new URL(target, 'http://localhost').href;
  }
}

/** The whole body of a request that announced a small Content-Length. Rejects if the client leaves first. */
function readWhole(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('client disconnected while sending the body'));
    });
  });
}

export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers = response instanceof LeanResponse ? response.headerRecord() : headerRecordOf(response.headers);
  // A fresh record either way: one constant header more costs a property (lib/security/headers.ts
  // says why the hot path sends nosniff and no CSP).
  headers['x-content-type-options'] = HOT_PATH_SECURITY_HEADERS['x-content-type-options'];
  const requestId = headers['x-request-id'];
  if (typeof requestId === 'string') markRequestId(res, requestId);
  if (res.destroyed) {
    // The client left while the handler ran: cancelling the body settles the request.
    await response.body?.cancel().catch(() => {});
    return;
  }
  if (response instanceof BytesResponse) {
    const error = errorMarkOf(response);
    if (error !== undefined) markError(res, error);
    headers['content-length'] = String(response.payload.byteLength);
    res.writeHead(response.status, headers).end(response.payload);
    return;
  }
  res.writeHead(response.status, headers);
  if (response instanceof RelayResponse) {
    // Chunks relayed in one turn of the event loop leave in one write, and the end with them
    // when it comes in that turn too (end() uncorks fully): node:http alone uncorks on the next
    // tick, so an answer whose body and end arrived together cost the socket two system calls.
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    const relay = response.relayTo({
      write: (chunk) => {
        if (!corked) {
          corked = true;
          res.cork();
          setImmediate(uncork);
        }
        return res.write(chunk);
      },
      drained: () => drained(res),
      end: (last) => void (last ? res.end(last) : res.end()),
      destroy: () => res.destroy(),
    });
    res.on('close', () => {
      if (!res.writableFinished) relay.clientGone();
    });
    return relay.done;
  }
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) throw new Error('client gone');
      // Respect backpressure: wait for the socket to drain (or close) before reading more.
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch {
    await reader.cancel().catch(() => {});
    res.destroy();
  }
}

/** Resolves when the socket can take more, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function handleNodeRequest(handler: WebHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    let request: Request;
    try {
      request = await toWebRequest(req, res);
    } catch {
      res.destroy(); // the client left before its body arrived: nobody to answer
      return;
    }
    await writeWebResponse(await handler(request), res);
  } catch (error) {
    log.error({ err: error }, 'request failed');
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', ...HOT_PATH_SECURITY_HEADERS }).end('{"error":{"message":"Internal error","type":"api_error","param":null,"code":"internal_error"}}');
    else res.destroy();
  }
}

/** Listens on `port` (0 = any free port), with the production server's limits unless told others. */
export function serve(
  handler: WebHandler,
  port = 0,
  host = '127.0.0.1',
  limits: Partial<ServerLimits> = {},
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createHttpServer((req, res) => handleNodeRequest(handler, req, res), { ...DEFAULT_LIMITS, ...limits });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
