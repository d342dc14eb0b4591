import 'server-only';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The server's log: one JSON object per line on stdout (pino), for a log shipper to read as it is.
 * LOG_LEVEL (trace…fatal, or silent) picks what is written; default `info`. Each module logs
 * through a child naming it (`logger().child({ component: 'usage' })`).
 *
 * What goes in is chosen field by field — ids, statuses, timings, error codes — never a request's
 * headers, body or query string: those carry API keys, access tokens, JWTs, passwords and the
 * secrets links inject. The redaction below is a second line, for a header object logged by
 * mistake; errors go through `serializeError`. One logger per process, shared on globalThis by
 * Next's bundle and the hot path's.
 */

const LOGGER = Symbol.for('conduit.logger');
const registry = globalThis as typeof globalThis & { [LOGGER]?: Logger };

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
const MAX_MESSAGE = 1_000;

export interface LoggedError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: { type: string; message: string; code?: string | number };
}

type ErrorLike = Record<string, unknown> & { message: string };

function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

function typeOf(error: ErrorLike): string {
  const name = typeof error.constructor === 'function' ? error.constructor.name : undefined;
  return name || (typeof error.name === 'string' ? error.name : 'Error');
}

function messageOf(error: ErrorLike): string {
  let message = error.message;
  // Node's connection errors are AggregateErrors with no message of their own (one per address).
  if (!message && Array.isArray(error.errors)) message = error.errors.filter(isErrorLike).map((inner) => inner.message).join('; ');
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

function codeOf(error: ErrorLike): string | number | undefined {
  return typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined;
}

function causeOf(error: ErrorLike): ErrorLike | undefined {
  const cause = error.cause;
  if (isErrorLike(cause)) return cause;
  // Auth.js wraps the error it caught as `cause: { err, …details }`: only the error is taken.
  const wrapped = typeof cause === 'object' && cause !== null ? (cause as { err?: unknown }).err : undefined;
  return isErrorLike(wrapped) ? wrapped : undefined;
}

/**
 * An error as logged: its type, message, code and stack frames, and its cause's type, message and
 * code — nothing else. Errors carry more in enumerable properties, and pino's standard serializer
 * copies them all: postgres.js puts the statement's `query` and `parameters` there (a usage batch,
 * a key's hash, an account's email), ioredis its `command` with `args` (keys and values), Stripe
 * the response's `headers` and `raw` body, drizzle the query and params in the message itself.
 * For drizzle's wrapper (it says nothing its cause does not), the cause is what is described.
 */
export function serializeError(value: unknown): LoggedError {
  if (!isErrorLike(value)) return { type: value === null ? 'null' : typeof value, message: typeof value === 'object' ? '' : String(value).slice(0, MAX_MESSAGE) };
  let error = value;
  let wrapper: string | undefined;
  while ('params' in error && isErrorLike(error.cause)) {
    wrapper ??= typeOf(error);
    error = error.cause;
  }
  const logged: LoggedError = { type: wrapper ?? typeOf(error), message: wrapper ? `query failed: ${messageOf(error)}` : messageOf(error) };
  const code = codeOf(error);
  if (code !== undefined) logged.code = code;
  // The frames only: the first lines repeat the message (the wrapper's holds every parameter).
  const stack = typeof value.stack === 'string' ? value.stack : undefined;
  const frames = stack?.indexOf('\n    at ');
  if (stack !== undefined && frames !== undefined && frames !== -1) logged.stack = stack.slice(frames + 1);
  const cause = causeOf(error);
  if (cause) {
    logged.cause = { type: typeOf(cause), message: messageOf(cause) };
    const causeCode = codeOf(cause);
    if (causeCode !== undefined) logged.cause.code = causeCode;
  }
  return logged;
}

/** A logger writing to `destination` (stdout unless told: tests pass a stream they read). */
export function createLogger(destination?: DestinationStream): Logger {
  const wanted = process.env.LOG_LEVEL?.trim().toLowerCase();
  const options = {
    level: wanted && LEVELS.has(wanted) ? wanted : 'info',
    base: { pid: process.pid },
    // `err` is pino's key for errors (and where `log.error(error)` puts one); `error` is covered
    // too, for a call that names it so: unserialized, an error's enumerable properties go out as is.
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: ['authorization', 'cookie', 'password', 'secret', 'token', '*.authorization', '*.cookie', '*.password', '*.secret', '*.token', 'headers["x-api-key"]'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function logger(): Logger {
  return (registry[LOGGER] ??= createLogger());
}
