import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { answerSocket, methodNotAllowed, refusalForClientError, refuseRequest, requestTimeout } from './http-answers';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'server' });

/**
 * The node:http server every Conduit entry listens with (`npm start`'s start.mjs, and `serve()`
 * for tests), configured so that no client can hold a connection, or a request, without bound:
 *
 * - the request head must arrive within `headersTimeoutMs` (also the bound on a connection that
 *   never sends a byte), the whole request within `requestTimeoutMs`: 408, then closed;
 * - a request body that stops arriving for `stallTimeoutMs` is answered 408 and closed (a body
 *   shorter than its Content-Length would otherwise hold the request until requestTimeoutMs); a
 *   body Conduit itself is not reading (a slow upstream taking a streamed upload) is not idle;
 * - an answer the client stops reading (its bytes wait in the socket, none taken) is cut after
 *   one to two `stallTimeoutMs`;
 * - an idle keep-alive connection closes after `keepAliveTimeoutMs`;
 * - at most `maxConnections` sockets are open at once; more are closed as they arrive.
 *
 * Otherwise the answer, once the request is in, is on no clock here: a stream can run for
 * minutes, and an upstream may take UPSTREAM_TIMEOUT_MS to say its first byte; the handlers bound
 * those.
 *
 * node:http reads the socket's handle itself, so socket 'data' events never fire; it refreshes
 * the socket's inactivity timer on every read it makes, which is what the body idle timeout uses.
 */

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  stallTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** How often node:http checks the head and request deadlines (its default is every 30 s). */
  checkIntervalMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  // A 25 MB link upload at 1 Mbit/s takes 200 s.
  requestTimeoutMs: 300_000,
  stallTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
  checkIntervalMs: 1_000,
};

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A request being answered: done when both its handler and its response are. */
interface Exchange {
  res: ServerResponse;
  socket: TrackedSocket;
  pending: number;
}

interface State {
  limits: ServerLimits;
  open: Set<Exchange>;
  sockets: Set<TrackedSocket>;
  draining: boolean;
  /** While draining: called whenever an exchange is done or a connection closes. */
  onChange?: () => void;
}

const states = new WeakMap<Server, State>();
/** The response a socket is (or was last) answering, for errors node:http reports on the socket. */
const RESPONSE = Symbol('conduit.response');
/** Requests being answered on the socket, and since when it has had none. */
const BUSY = Symbol('conduit.busy');
const IDLE_SINCE = Symbol('conduit.idle-since');
type TrackedSocket = Socket & { [RESPONSE]?: ServerResponse; [BUSY]: number; [IDLE_SINCE]: number };

export function createHttpServer(listener: RequestListener, limits: ServerLimits = DEFAULT_LIMITS): Server {
  const state: State = { limits, open: new Set(), sockets: new Set(), draining: false };
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

  // Every connection, for a shutdown to know which are idle (node:http keeps its list private).
  server.on('connection', (socket: TrackedSocket) => {
    socket[BUSY] = 0;
    socket[IDLE_SINCE] = Date.now();
    state.sockets.add(socket);
    // node:http's headersTimeout only runs once a request's first byte has come (then it answers
    // 408 itself): a connection that never sends one would stay open for good.
    const firstRequest = setTimeout(() => {
      if (!socket[RESPONSE] && socket.bytesRead === 0) socket.destroy();
    }, limits.headersTimeoutMs);
    firstRequest.unref();
    socket.once('close', () => {
      clearTimeout(firstRequest);
      state.sockets.delete(socket);
      state.onChange?.();
    });
  });
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
    log.error({ maxConnections: limits.maxConnections }, 'connections at the limit: refusing new ones');
  });
  return server;
}

function onRequest(state: State, listener: RequestListener, req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket as TrackedSocket;
  socket[RESPONSE] = res;
  if (refuseRequest(req, res)) return;

  const exchange: Exchange = { res, socket, pending: 2 };
  state.open.add(exchange);
  socket[BUSY]++;
  const done = () => {
    if (--exchange.pending > 0) return;
    state.open.delete(exchange);
    if (--socket[BUSY] === 0) socket[IDLE_SINCE] = Date.now();
    state.onChange?.();
  };
  res.once('close', done);
  // Shutting down: this answer is the connection's last.
  if (state.draining) res.setHeader('connection', 'close');
  if (state.limits.stallTimeoutMs > 0) watchStalls(req, res, state.limits.stallTimeoutMs);

  let result: unknown;
  try {
    result = listener(req, res);
  } catch (error) {
    done();
    throw error;
  }
  if (result instanceof Promise) {
    result.then(done, (error: unknown) => {
      log.error({ err: error }, 'request failed');
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
 * The socket's inactivity timer, for the length of an exchange (node:http sets its keep-alive
 * timer in its place once the answer is sent). A body that stops arriving: 408 and the connection
 * closed. An answer whose bytes wait in the socket and are not taken: the client stopped reading,
 * and the connection is closed. A quiet socket otherwise is an answer being awaited, which is not
 * the client's to hurry. Either way the handler sees the client leave.
 */
function watchStalls(req: IncomingMessage, res: ServerResponse, ms: number): void {
  const socket = req.socket;
  socket.setTimeout(ms);
  // node:http emits 'timeout' on the request only while it is incomplete, and on the response
  // while it is being answered; with neither listening, it destroys the socket. (Node's timer
  // does not fire while queued writes make progress.)
  let stalledAt = -1;
  res.on('timeout', () => {
    if (!req.complete || socket.writableLength === 0) return;
    // Bytes of the answer wait for the client. TCP reopens a full window in bursts, so a client
    // still reading can look stalled for a period: cut only after two without a write completing.
    const sent = socket.bytesWritten - socket.writableLength;
    if (sent === stalledAt) return void socket.destroy();
    stalledAt = sent;
    socket.setTimeout(ms);
  });
  if (!hasBody(req)) return;
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
 * A connection with no request for this long while the server drains is closed: a client that
 * has just had an answer may be sending its next request on it right now (closing at once would
 * reset that request), but after a second it is not using the connection.
 */
const DRAIN_IDLE_GRACE_MS = 1_000;

/**
 * Stops taking connections and lets the requests in flight finish, for up to `timeoutMs`; past
 * that, their connections are cut. Answers not yet begun, and requests still arriving on open
 * connections, get `Connection: close`; connections without a request for a second are closed.
 * Resolves once every connection is closed and every request's handler has returned, with the
 * number of requests that had to be cut.
 */
export async function closeGracefully(server: Server, timeoutMs: number): Promise<{ cut: number }> {
  const state = states.get(server);
  if (!state) throw new Error('closeGracefully: not a server from createHttpServer');
  state.draining = true;
  for (const { res } of state.open) if (!res.headersSent) res.setHeader('connection', 'close');
  // net.Server's close: http.Server's would also close every idle keep-alive connection at once.
  NetServer.prototype.close.call(server);

  const closeIdle = () => {
    const now = Date.now();
    for (const socket of state.sockets) if (socket[BUSY] === 0 && now - socket[IDLE_SINCE] >= DRAIN_IDLE_GRACE_MS) socket.destroy();
  };
  const sweeper = setInterval(closeIdle, Math.min(200, DRAIN_IDLE_GRACE_MS));
  const settled = (what: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!what()) return;
        state.onChange = undefined;
        resolve();
      };
      state.onChange = check;
      check();
    });
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (deadline = setTimeout(resolve, timeoutMs)));
  await Promise.race([settled(() => state.open.size === 0 && state.sockets.size === 0), late]);
  clearTimeout(deadline);
  clearInterval(sweeper);

  const cut = state.open.size;
  server.closeAllConnections();
  for (const socket of state.sockets) socket.destroy();
  if (cut > 0) {
    // The handlers of what was cut wind down (a stream cut short settles what it delivered).
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([settled(() => state.open.size === 0), new Promise((resolve) => (wait = setTimeout(resolve, 2_000)))]);
    clearTimeout(wait);
  }
  return { cut };
}
