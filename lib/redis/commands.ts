import 'server-only';
import { z } from 'zod';
import { ScriptCache, type Reply, type Rewritten } from './scripts';

/**
 * The command layer shared by the in-process requester and the HTTP endpoint: it speaks Upstash's
 * REST semantics (one command, a pipeline, a MULTI/EXEC transaction; `{ result }` or `{ error }` per
 * command) over any backend that looks like ioredis. Script rewriting and reply normalisation live
 * here so both entry points behave identically.
 */

export type { Reply };
export type Outcome = { result: Reply } | { error: string };
/** ioredis' pipeline shape: one `[error, value]` pair per command. */
export type Settled = [error: Error | null, value: unknown];

/** What the runner needs from a Redis connection (see ioredis-backend.ts, embedded-backend.ts). */
export interface RedisBackend {
  send(command: string[]): Promise<unknown>;
  pipeline(commands: string[][]): Promise<Settled[]>;
  /** MULTI/EXEC; rejects when Redis discards the whole transaction (EXECABORT). */
  multi(commands: string[][]): Promise<Settled[]>;
  close(): Promise<void>;
}

/** Redis refused a command. Same `name` as ioredis' ReplyError so one check covers both. */
export class RedisReplyError extends Error {
  override name = 'ReplyError';
}

/** True when Redis answered with an error (as opposed to the connection failing). */
export function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/** Redis error messages start with a code (ERR, WRONGTYPE, NOSCRIPT...) that clients match on. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z][A-Z_-]* /.test(message) ? message : `ERR ${message}`;
}

// The SDK serialises arguments with `typeof x === 'boolean' ? x : ...`, so `redis.set(k, true)` sends
// a JSON boolean: accept it and pass it on as Redis would see it, "true".
const argSchema = z.union([z.string(), z.number(), z.boolean()]).transform(String);
export const commandSchema = z.array(argSchema).min(1, 'ERR empty command');
export const commandListSchema = z.array(commandSchema).min(1, 'ERR empty pipeline');

/** One line a Redis client can show: what was wrong with the request body, and where. */
export function bodyErrorMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'ERR invalid request body';
  if (issue.message.startsWith('ERR ')) return issue.message;
  const where = issue.path.length > 0 ? ` at [${issue.path.join('][')}]` : '';
  return `ERR invalid request body${where}: ${issue.message}`;
}

/**
 * Commands we refuse. Every caller shares one multiplexed connection, so anything that changes the
 * connection's state (MULTI, SELECT, SUBSCRIBE, CLIENT REPLY...) or blocks it (BLPOP...) would corrupt
 * or stall everyone else's commands; transactions go through `/multi-exec` instead. Server
 * administration is refused because a REST token should not be able to stop or reconfigure Redis.
 */
const REFUSED = new Set([
  ...['multi', 'exec', 'discard', 'watch', 'unwatch', 'select', 'swapdb', 'auth', 'hello', 'reset'],
  ...['quit', 'client', 'readonly', 'readwrite', 'monitor', 'sync', 'psync', 'replconf'],
  ...['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe'],
  ...['blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop'],
  ...['wait', 'waitaof', 'shutdown', 'debug', 'config', 'replicaof', 'slaveof', 'failover'],
  ...['module', 'acl', 'save', 'bgsave', 'bgrewriteaof'],
]);

function refusal(command: string[]): string | undefined {
  const name = (command[0] ?? '').toLowerCase();
  const blockingRead = (name === 'xread' || name === 'xreadgroup') && command.some((a) => a.toLowerCase() === 'block');
  if (REFUSED.has(name) || blockingRead) return `ERR command '${name}' is not supported over this interface`;
  return undefined;
}

/** ioredis hands out Buffers, `undefined` and (for HGETALL) objects; Upstash clients expect JSON values. */
export function toReply(value: unknown): Reply {
  if (value === null || value === undefined) return null; // the SDK throws on `result: undefined`
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(toReply);
  if (value instanceof Error) return errorMessage(value); // an error reply nested in a script's table
  // ioredis' reply transformer turns HGETALL into an object even via `call()`; flatten it back to
  // Redis' [field, value, ...] (the SDK rebuilds the object itself).
  if (typeof value === 'object') return Object.entries(value).flatMap(([field, v]) => [field, toReply(v)]);
  return String(value);
}

function outcome([error, value]: Settled, rewritten: Rewritten): Outcome {
  if (error) return { error: errorMessage(error) };
  const reply = toReply(value);
  return { result: rewritten.mapReply ? rewritten.mapReply(reply) : reply };
}

export interface CommandRunner {
  /** One command. Redis errors come back as `{ error }`; a failing connection rejects. */
  run(command: string[]): Promise<Outcome>;
  /** Commands in order, not atomic; one outcome per command. */
  pipeline(commands: string[][]): Promise<Outcome[]>;
  /** Commands in MULTI/EXEC; rejects with a RedisReplyError when the transaction is discarded. */
  multiExec(commands: string[][]): Promise<Outcome[]>;
  close(): Promise<void>;
}

/** `scriptsKept: false`: the backend has no script cache (EVALSHA is run as EVAL, scripts.ts). */
export function createCommandRunner(backend: RedisBackend, { scriptsKept = true }: { scriptsKept?: boolean } = {}): CommandRunner {
  const scripts = new ScriptCache(!scriptsKept);

  return {
    async run(command) {
      const refused = refusal(command);
      if (refused) return { error: refused };
      const rewritten = scripts.rewrite(command);
      try {
        return outcome([null, await backend.send(rewritten.command)], rewritten);
      } catch (error) {
        if (isReplyError(error)) return { error: errorMessage(error) };
        throw error;
      }
    },

    async pipeline(commands) {
      const prepared = commands.map((command) => ({ refused: refusal(command), rewritten: scripts.rewrite(command) }));
      const toSend = prepared.filter((p) => !p.refused).map((p) => p.rewritten.command);
      const settled = toSend.length > 0 ? await backend.pipeline(toSend) : [];
      let next = 0;
      return prepared.map(({ refused, rewritten }) => {
        if (refused) return { error: refused };
        return outcome(settled[next++] ?? [new Error('ERR missing reply'), null], rewritten);
      });
    },

    async multiExec(commands) {
      const refused = commands.map(refusal).find(Boolean);
      // Mirrors Redis: a command rejected while queueing discards the whole transaction.
      if (refused) throw new RedisReplyError(`EXECABORT Transaction discarded because of previous errors: ${refused}`);
      const rewritten = commands.map((command) => scripts.rewrite(command));
      const settled = await backend.multi(rewritten.map((r) => r.command));
      return rewritten.map((r, i) => outcome(settled[i] ?? [new Error('ERR missing reply'), null], r));
    },

    close: () => backend.close(),
  };
}
