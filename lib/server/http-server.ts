import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { answerSocket, methodNotAllowed, refusalForClientError, refuseRequest, requestTimeout } from './http-answers';

/**
 * The node:http server every Conduit entry listens with (`npm start`'s start.mjs, and `serve()`
 * for tests), configured so that no client can hold a connection, or a request, without bound:
 *
 * - the request head must arrive within `headersTimeoutMs` (also the bound on a connection that
 *   never sends a byte), the whole request within `requestTimeoutMs`: 408, then closed;
 * - a request body that stops arriving for `bodyIdleTimeoutMs` is answered 408 and closed (a body
 *   shorter than its Content-Length would otherwise hold the request until requestTimeoutMs); a
 *   body Conduit itself is not reading (a slow upstream taking a streamed upload) is not idle;
 * - an idle keep-alive connection closes after `keepAliveTimeoutMs`;
 * - at most `maxConnections` sockets are open at once; more are closed as they arrive.
 *
 * The answer, once the request is in, is never on a clock here: a stream can run for minutes, and
 * an upstream may take UPSTREAM_TIMEOUT_MS to say its first byte; the handlers bound those.
 *
 * node:http reads the socket's handle itself, so socket 'data' events never fire; it refreshes
 * the socket's inactivity timer on every read it makes, which is what the body idle timeout uses.
 */

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  bodyIdleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** How often node:http checks the head and request deadlines (its default is every 30 s). */
  checkIntervalMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  // A 25 MB link upload at 1 Mbit/s takes 200 s.
  requestTimeoutMs: 300_000,
  bodyIdleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
  checkIntervalMs: 1_000,
};

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A request being answered: done when both its handler and its response are. */
interface Exchange {
  res: ServerResponse;
  pending: number;
}

interface State {
  limits: ServerLimits;
  open: Set<Exchange>;
  draining: boolean;
  /** Called when the last open exchange is done, while draining. */
  onIdle?: () => void;
}

const states = new WeakMap<Server, State>();
/** The response a socket is (or was last) answering, for errors node:http reports on the socket. */
const RESPONSE = Symbol('conduit.response');
type TrackedSocket = Socket & { [RESPONSE]?: ServerResponse };

const ignore = () => {};

export function createHttpServer(listener: RequestListener, limits: ServerLimits = DEFAULT_LIMITS): Server {
  const state: State = { limits, open: new Set(), draining: false };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => onRequest(state, listener, req, res),
  );
  states.set(server, state);
  server.maxConnections = limits.maxConnections;

  server.on('clientError', (error: NodeJS.ErrnoException, socket: TrackedSocket) => {
    const res = socket[RESPONSE];
    // With an answer already under way nothing more can be said on this connection.
    if (error.code === 'ECONNRESET' || (res && res.headersSent && !res.writableFinished)) return void socket.destroy();
    answerSocket(socket, refusalForClientError(error));
  });
  // node:http hands CONNECT here, and without a listener closes the connection unanswered.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => answerSocket(socket, methodNotAllowed('CONNECT')));

  let warned = 0;
  server.on('drop', () => {
    if (Date.now() - warned < 60_000) return;
    warned = Date.now();
    console.error(`[server] ${limits.maxConnections} connections open (the limit): refusing new ones`);
  });
  return server;
}

function onRequest(state: State, listener: RequestListener, req: IncomingMessage, res: ServerResponse): void {
  (req.socket as TrackedSocket)[RESPONSE] = res;
  if (refuseRequest(req, res)) return;

  const exchange: Exchange = { res, pending: 2 };
  state.open.add(exchange);
  const done = () => {
    if (--exchange.pending > 0) return;
    state.open.delete(exchange);
    if (state.open.size === 0) state.onIdle?.();
  };
  res.once('close', done);
  // Shutting down: this answer is the connection's last.
  if (state.draining) res.setHeader('connection', 'close');
  if (state.limits.bodyIdleTimeoutMs > 0 && hasBody(req)) watchBody(req, res, state.limits.bodyIdleTimeoutMs);

  let result: unknown;
  try {
    result = listener(req, res);
  } catch (error) {
    done();
    throw error;
  }
  if (result instanceof Promise) {
    result.then(done, (error: unknown) => {
      console.error('[server] request failed', error);
      done();
    });
  } else {
    done();
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A body that stops arriving: 408 and the connection closed (the handler sees the client leave).
 * The socket's inactivity timer runs while the body comes in; once it is complete, a quiet
 * socket is an answer being awaited, which is not the client's to hurry.
 */
function watchBody(req: IncomingMessage, res: ServerResponse, ms: number): void {
  const socket = req.socket;
  socket.setTimeout(ms);
  // node:http emits 'timeout' on the request only while it is incomplete, and on the response
  // while it is being answered; with neither listening, it destroys the socket.
  res.on('timeout', ignore);
  req.on('timeout', () => {
    if (req.readableLength > 0 || req.readableFlowing === false) {
      // Conduit is not reading (it passes the body on no faster than the upstream takes it),
      // so the client is not late: look again later.
      socket.setTimeout(ms);
      return;
    }
    if (res.headersSent) socket.destroy();
    else answerSocket(socket, requestTimeout);
  });
}

/**
 * Stops taking connections and lets the requests in flight finish, for up to `timeoutMs`; past
 * that, their connections are cut. Answers not yet begun, and requests still arriving on open
 * connections, get `Connection: close`; connections idle for a second are closed (sooner, a
 * client that just got an answer may be sending its next request on it). Resolves once every
 * request's handler has returned, with the number that had to be cut.
 */
export async function closeGracefully(server: Server, timeoutMs: number): Promise<{ cut: number }> {
  const state = states.get(server);
  if (!state) throw new Error('closeGracefully: not a server from createHttpServer');
  state.draining = true;
  for (const { res } of state.open) if (!res.headersSent) res.setHeader('connection', 'close');
  // net.Server's close: http.Server's would also close idle keep-alive connections at once, and a
  // client that had just sent its next request on one would see it reset.
  NetServer.prototype.close.call(server);
  const idle = setTimeout(() => server.closeIdleConnections(), Math.min(1_000, timeoutMs));

  const finished = () => new Promise<void>((resolve) => (state.open.size === 0 ? resolve() : (state.onIdle = resolve)));
  let cut = 0;
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([finished(), new Promise<void>((resolve) => (deadline = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(deadline);
  if (state.open.size > 0) {
    cut = state.open.size;
    for (const { res } of state.open) res.destroy();
    // The handlers of what was cut wind down (a stream cut short settles what it delivered).
    await Promise.race([finished(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }
  clearTimeout(idle);
  server.closeAllConnections();
  return { cut };
}
