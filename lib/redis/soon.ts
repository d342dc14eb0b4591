import 'server-only';
import type { Redis } from '@upstash/redis';
import { isNoScript, RedisCommandError, runScript, transport, type Command, type LuaScript, type Reply } from './raw';

/**
 * The hot path's Redis commands — admissions before forwarding, settlements and usage records
 * after — leave at the end of the current turn of the event loop (setImmediate), together with
 * every other one issued in that turn, as one pipeline (settlements and usage records, which nobody
 * waits for, may wait up to LATER_MS for the next one): one write and one read for several
 * requests instead of one each. Under load a turn handles several requests, and the system calls
 * saved were a large part of the gateway's CPU (their share of the bench's profile halved); an
 * admission waits at most for the rest of the turn it was issued in. Each command still gets its
 * own reply, error or NOSCRIPT retry, and each is atomic on its own as before — nothing is
 * atomic across them, and nothing needs to be.
 */

interface Queued {
  command: Command;
  script?: { script: LuaScript; keys: readonly string[]; args: readonly (string | number)[] };
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * A burst sends several pipelines rather than one huge one: Upstash bounds a request's size
 * (10 MB on its Free and Pay-as-you-go plans, the answer included), and a usage record is ~0.6 KB.
 */
const MAX_PIPELINE = 500;

const pending = new WeakMap<Redis, Queued[]>();

/**
 * Commands nobody waits for before answering a client (settlements and usage records, sent after
 * the response) may wait up to this long for a pipeline that leaves anyway — the next admission's
 * — instead of starting their own: under load they never need a write of their own to Redis (one
 * system call each way saved per request). Idle, they leave on the timer.
 */
const LATER_MS = 5;
// A Map (entries leave as their batch does), so a shutdown can find every batch still waiting.
const later = new Map<Redis, { batch: Queued[]; timer: NodeJS.Timeout }>();
/** Pipelines sent and not yet answered (NOSCRIPT retries included). */
const sending = new Set<Promise<void>>();

function send(redis: Redis, batch: Queued[]): void {
  const sent = flush(redis, batch);
  sending.add(sent);
  void sent.then(() => sending.delete(sent));
}

type Part = Omit<Queued, 'resolve' | 'reject'>;

/**
 * Adds `parts` to this turn's pipeline, all in the same one: if they would not fit in what is
 * left of it (MAX_PIPELINE), they start the next (a settlement and its usage record must not be
 * split: they leave together or not at all).
 */
function enqueue(redis: Redis, parts: Part[]): Promise<unknown>[] {
  let batch = pending.get(redis);
  if (batch && batch.length + parts.length > MAX_PIPELINE) {
    pending.delete(redis);
    batch = undefined;
  }
  if (!batch) {
    const fresh: Queued[] = [];
    batch = fresh;
    pending.set(redis, fresh);
    // Whatever was waiting for a ride leaves with this pipeline.
    const waiting = later.get(redis);
    if (waiting) {
      later.delete(redis);
      clearTimeout(waiting.timer);
      fresh.push(...waiting.batch);
    }
    setImmediate(() => {
      if (pending.get(redis) === fresh) pending.delete(redis);
      send(redis, fresh);
    });
  }
  const target = batch;
  const promises = parts.map((part) => new Promise((resolve, reject) => target.push({ ...part, resolve, reject })));
  // Full: the next command starts a new pipeline; this one still leaves at the end of the turn.
  if (target.length >= MAX_PIPELINE) pending.delete(redis);
  return promises;
}

/** Like enqueue, for commands that can wait (see LATER_MS). */
function enqueueLater(redis: Redis, parts: Part[]): Promise<unknown>[] {
  if (pending.has(redis)) return enqueue(redis, parts);
  let waiting = later.get(redis);
  if (waiting && waiting.batch.length + parts.length > MAX_PIPELINE) {
    later.delete(redis);
    clearTimeout(waiting.timer);
    send(redis, waiting.batch);
    waiting = undefined;
  }
  if (!waiting) {
    const fresh = {
      batch: [] as Queued[],
      timer: setTimeout(() => {
        if (later.get(redis) !== fresh) return;
        later.delete(redis);
        send(redis, fresh.batch);
      }, LATER_MS),
    };
    waiting = fresh;
    later.set(redis, fresh);
  }
  const target = waiting;
  const promises = parts.map((part) => new Promise((resolve, reject) => target.batch.push({ ...part, resolve, reject })));
  if (target.batch.length >= MAX_PIPELINE) {
    later.delete(redis);
    clearTimeout(target.timer);
    send(redis, target.batch);
  }
  return promises;
}

const scriptPart = (script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Part => ({
  command: ['evalsha', script.sha, keys.length, ...keys, ...args],
  script: { script, keys, args },
});

/** A command, or a script by SHA (taught to Redis with EVAL if it forgot it). */
export type SoonPart = { command: Command } | { script: LuaScript; keys: readonly string[]; args: readonly (string | number)[] };
const toPart = (part: SoonPart): Part => ('command' in part ? { command: part.command } : scriptPart(part.script, part.keys, part.args));

/** One command, sent with the others of this turn. Rejects with RedisCommandError on a Redis error. */
export function runCommandSoon(redis: Redis, command: Command): Promise<unknown> {
  return enqueue(redis, [{ command }])[0]!;
}

/** A script by SHA, sent with the others of this turn; taught to Redis (EVAL) if it forgot it. */
export function runScriptSoon(redis: Redis, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  return enqueue(redis, [scriptPart(script, keys, args)])[0]!;
}

/** A command that nobody waits for: sent with the next pipeline that leaves, within LATER_MS. */
export function runCommandLater(redis: Redis, command: Command): Promise<unknown> {
  return enqueueLater(redis, [{ command }])[0]!;
}

/** A script that nobody waits for: sent with the next pipeline that leaves, within LATER_MS. */
export function runScriptLater(redis: Redis, script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  return enqueueLater(redis, [scriptPart(script, keys, args)])[0]!;
}

/** Several commands in this order, in the same pipeline of this turn (or, `later`, of the next within LATER_MS). */
export function runTogether(redis: Redis, parts: SoonPart[], { later: wait = false }: { later?: boolean } = {}): Promise<unknown>[] {
  return (wait ? enqueueLater : enqueue)(redis, parts.map(toPart));
}

/** Sends a pipeline; resolves once every command in it has its answer (never rejects). */
async function flush(redis: Redis, batch: Queued[]): Promise<void> {
  let replies: Reply[];
  try {
    replies = (await transport(redis).request({ path: ['pipeline'], body: batch.map((queued) => queued.command) })) as Reply[];
  } catch (error) {
    for (const queued of batch) queued.reject(error);
    return;
  }
  const retries: Promise<void>[] = [];
  batch.forEach((queued, i) => {
    const reply = replies[i];
    if (!reply) return queued.reject(new RedisCommandError('ERR missing reply'));
    if (reply.error === undefined) return queued.resolve(reply.result);
    const error = new RedisCommandError(reply.error);
    if (queued.script && isNoScript(error)) {
      const { script, keys, args } = queued.script;
      return void retries.push(runScript(redis, script, keys, args).then(queued.resolve, queued.reject));
    }
    queued.reject(error);
  });
  if (retries.length > 0) await Promise.all(retries);
}

/** Sends what this copy of the module holds back now, and waits for every answer. */
async function flushThisCopy(): Promise<void> {
  for (const [redis, waiting] of later) {
    later.delete(redis);
    clearTimeout(waiting.timer);
    send(redis, waiting.batch);
  }
  // Pipelines that leave at the end of this turn, too.
  await new Promise((resolve) => setImmediate(resolve));
  while (sending.size > 0) await Promise.all(sending);
}

// The hot-path bundle and Next.js's bundles each hold a copy of this module, each with its own
// commands waiting: a shutdown from any of them flushes them all.
const FLUSHERS = Symbol.for('conduit.redis.soon.flushers');
const flushers = ((globalThis as typeof globalThis & { [FLUSHERS]?: Set<() => Promise<void>> })[FLUSHERS] ??= new Set());
flushers.add(flushThisCopy);

/**
 * Sends every command still waiting for a pipeline (settlements and usage records wait up to
 * LATER_MS) at once, and resolves when Redis has answered them all: the last step before a
 * process exits, or they would be lost with it.
 */
export async function flushRedisSoon(): Promise<void> {
  await Promise.all([...flushers].map((flushCopy) => flushCopy()));
}
