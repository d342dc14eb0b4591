/**
 * Telling a record PostgreSQL refuses from a database that is not there.
 *
 * The drain must treat them oppositely: a refused record is set aside (dead-lettered) so the rest
 * of the queue moves, while a connection failure must leave every record queued for the next try
 * — dead-lettering during an outage would empty the queue into the dead list.
 */

/** SQLSTATE classes a record's own content can cause: retrying the same record fails the same way. */
const DATA_CLASSES = new Set([
  '22', // data exception: invalid json / text encoding, a value out of range
  '23', // integrity constraint violation: a foreign key gone since the check, a NOT NULL
  '54', // program limit exceeded: e.g. a value too big for a btree index key
]);

interface ServerError {
  code: string;
  message: string;
}

/**
 * The error PostgreSQL itself sent, wherever the driver put it: postgres.js throws a PostgresError
 * and PGlite a DatabaseError (both with `severity` and a 5-character `code`), and drizzle wraps
 * either in a DrizzleQueryError as its `cause`. Node's own errors (ECONNREFUSED, EPIPE) have no
 * severity, so a network failure never passes for one.
 */
export function serverError(error: unknown): ServerError | null {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, severity, message, cause } = current as { code?: unknown; severity?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string') {
      return { code, message: typeof message === 'string' ? message : '' };
    }
    current = cause;
  }
  return null;
}

/** Whether PostgreSQL refused the data (not the connection, a shutdown 57P01, a deadlock 40P01). */
export function isDataError(error: unknown): boolean {
  const refused = serverError(error);
  return refused !== null && DATA_CLASSES.has(refused.code.slice(0, 2));
}

/**
 * Short enough for a log line, and without the query or its parameters — drizzle's own message
 * carries the whole batch (every record, users' text included).
 */
export function describeDatabaseError(error: unknown): string {
  const refused = serverError(error);
  let inner = error;
  // drizzle's wrapper (query + params) says nothing its cause does not: describe the cause.
  while (inner instanceof Error && 'params' in inner && inner.cause !== undefined) inner = inner.cause;
  const text = refused ? `${refused.code} ${refused.message}` : inner instanceof Error ? `${inner.name}: ${inner.message}` : String(inner);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
