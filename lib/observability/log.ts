import 'server-only';
import { pino, type Logger } from 'pino';

/**
 * The server's log: one JSON object per line on stdout (pino), for a log shipper to read as it is.
 * LOG_LEVEL (trace…fatal, or silent) picks what is written; default `info`.
 *
 * What goes in is chosen field by field — ids, statuses, timings, error codes — never a request's
 * headers, body or query string: those carry API keys, access tokens, JWTs, passwords and the
 * secrets links inject. The redaction below is a second line, for a header object logged by
 * mistake. One logger per process, shared on globalThis by Next's bundle and the hot path's.
 */

const LOGGER = Symbol.for('conduit.logger');
const registry = globalThis as typeof globalThis & { [LOGGER]?: Logger };

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

function createLogger(): Logger {
  const wanted = process.env.LOG_LEVEL?.trim().toLowerCase();
  return pino({
    level: wanted && LEVELS.has(wanted) ? wanted : 'info',
    base: { pid: process.pid },
    redact: {
      paths: ['authorization', 'cookie', 'password', 'secret', 'token', '*.authorization', '*.cookie', '*.password', '*.secret', '*.token', 'headers["x-api-key"]'],
      censor: '[redacted]',
    },
  });
}

export function logger(): Logger {
  return (registry[LOGGER] ??= createLogger());
}
