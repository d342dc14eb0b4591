import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The answers the HTTP server gives by itself, before (or instead of) any handler: a request
 * no handler may see, one node:http could not parse, one whose client stopped sending. All in
 * OpenAI's error shape, like every other answer, and all closing the connection: what the
 * client does next on it cannot be trusted.
 */

export interface Refusal {
  status: number;
  reason: string;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** What a refused method is told it may use instead (the server as a whole; routes narrow it). */
export const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** Never handed on: TRACE/TRACK echo the request (a link's injected secret included); CONNECT opens tunnels. */
const REFUSED_METHODS: ReadonlySet<string> = new Set(['TRACE', 'TRACK', 'CONNECT']);

export const methodNotAllowed = (method: string): Refusal => ({
  status: 405,
  reason: 'Method Not Allowed',
  code: 'method_not_allowed',
  message: `${method} is not supported; use one of ${ALLOWED_METHODS}.`,
  headers: { allow: ALLOWED_METHODS },
});

const targetNotAllowed: Refusal = {
  status: 400,
  reason: 'Bad Request',
  code: 'invalid_request_target',
  message: 'The request target must be a path starting with "/" (origin-form), or "*" for OPTIONS.',
};

export const requestTimeout: Refusal = {
  status: 408,
  reason: 'Request Timeout',
  code: 'request_timeout',
  message: 'The request was not received in time.',
};

const headersTooLarge: Refusal = {
  status: 431,
  reason: 'Request Header Fields Too Large',
  code: 'request_header_fields_too_large',
  message: 'The request headers are too large.',
};

const chunkExtensionsTooLarge: Refusal = {
  status: 413,
  reason: 'Payload Too Large',
  code: 'request_too_large',
  message: 'The request body carries too many chunk extensions.',
};

const malformed: Refusal = { status: 400, reason: 'Bad Request', code: 'invalid_http', message: 'The request is not valid HTTP/1.1.' };

function body(refusal: Refusal): string {
  const type = refusal.status === 408 ? 'api_error' : 'invalid_request_error';
  return JSON.stringify({ error: { message: refusal.message, type, param: null, code: refusal.code } });
}

/**
 * A request no handler may see, answered here: a TRACE-like method, or a target that is not a
 * path. An absolute-form target (`GET http://evil.example/ HTTP/1.1`) is legal for proxies to
 * send, but Conduit is not one, and Next.js answered it with a redirect to the host the client
 * named (an open redirect). Returns true when answered.
 */
export function refuseRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const method = req.method ?? '';
  const target = req.url ?? '';
  let refusal: Refusal | undefined;
  if (REFUSED_METHODS.has(method)) refusal = methodNotAllowed(method);
  else if (target.charCodeAt(0) !== 0x2f /* / */) {
    if (target === '*' && method === 'OPTIONS') {
      // The whole server's options: what it allows, and nothing else to say.
      res.writeHead(204, { allow: ALLOWED_METHODS }).end();
      return true;
    }
    refusal = targetNotAllowed;
  }
  if (!refusal) return false;
  const payload = body(refusal);
  res
    .writeHead(refusal.status, { ...refusal.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close' })
    .end(payload);
  return true;
}

/**
 * Writes a refusal straight to a socket node:http no longer answers on (a parse error, a
 * timeout, CONNECT), then closes it once written.
 */
export function answerSocket(socket: Duplex, refusal: Refusal): void {
  if (socket.writable) {
    const payload = body(refusal);
    const extra = Object.entries(refusal.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n${extra}connection: close\r\n\r\n${payload}`,
    );
  }
  // Once written (or at once, if it cannot be): a client that never closes its side holds nothing.
  if (socket.writableFinished || !socket.writable) socket.destroy();
  else socket.once('finish', () => socket.destroy());
}

/** node:http's parse and timeout errors as answers (the socket has no request object then). */
export function refusalForClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): Refusal {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout;
    case 'HPE_HEADER_OVERFLOW':
      return headersTooLarge;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return chunkExtensionsTooLarge;
    case 'HPE_INVALID_METHOD': {
      // A method node:http does not know (TRACK, PROPFIND's rarer cousins): 405, as for TRACE.
      // Anything that does not even look like a method (TLS on the plain port, noise) stays a 400.
      const method = /^([A-Z][A-Z0-9_-]{0,31}) /.exec(error.rawPacket?.subarray(0, 33).toString('latin1') ?? '')?.[1];
      return method ? methodNotAllowed(method) : malformed;
    }
    default:
      return malformed;
  }
}
