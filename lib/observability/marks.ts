/**
 * What the request log and metrics need to know of an answer, carried beside it rather than read
 * back out of it: its Conduit error — the code (`rate_limit_exceeded`, `ip_not_allowed`…) and,
 * for the metrics, a finer reason where one code covers several (`rate_limit_exceeded:minute`) —
 * and its request id. errorResponse() marks the Response; the hot path's adapter moves the marks
 * to the node response (whose headers, written in one writeHead, cannot be read back), where
 * request-log.ts reads them. Symbol.for keys: Next's bundle and the hot path's each have this module.
 */
const ERROR = Symbol.for('conduit.error');
const REQUEST_ID = Symbol.for('conduit.request-id');

export interface ErrorMark {
  code: string;
  reason: string;
}

type Marked = { [ERROR]?: ErrorMark; [REQUEST_ID]?: string };

export function markError(target: object, mark: ErrorMark): void {
  (target as Marked)[ERROR] = mark;
}

export function errorMarkOf(target: object): ErrorMark | undefined {
  return (target as Marked)[ERROR];
}

export function markRequestId(target: object, requestId: string): void {
  (target as Marked)[REQUEST_ID] = requestId;
}

export function requestIdOf(target: object): string | undefined {
  return (target as Marked)[REQUEST_ID];
}
