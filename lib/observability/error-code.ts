/**
 * The Conduit error of an answer — its code (`rate_limit_exceeded`, `ip_not_allowed`…) and, for
 * the metrics, a finer reason where one code covers several (`rate_limit_exceeded:minute`) —
 * carried beside the answer rather than read back out of its JSON body: errorResponse() marks the
 * Response, the hot path's adapter moves the mark to the node response, and the request log and
 * metrics read it there. A Symbol.for key: Next's bundle and the hot path's each have this module.
 */
const ERROR = Symbol.for('conduit.error');

export interface ErrorMark {
  code: string;
  reason: string;
}

type Marked = { [ERROR]?: ErrorMark };

export function markError(target: object, mark: ErrorMark): void {
  (target as Marked)[ERROR] = mark;
}

export function errorMarkOf(target: object): ErrorMark | undefined {
  return (target as Marked)[ERROR];
}
