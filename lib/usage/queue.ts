import 'server-only';
import type { Redis } from '@upstash/redis';
import { env } from '@/lib/env';
import { getRedis } from '@/lib/redis/client';
import { runCommandLater } from '@/lib/redis/soon';
import { cleanRecord, type UsageRecord } from './record';

/**
 * The usage queue: the gateway adds one record per request to the Redis round trip that settles
 * the request's spend, and the drain (drain.ts) moves records into PostgreSQL in batches.
 *
 * Why a list and not a Redis stream: a stream with a consumer group (XADD / XREADGROUP / XACK /
 * XAUTOCLAIM) is the textbook fit, but the embedded store (ioredis-mock 8.13.1, what `npm run dev`
 * and the tests without TEST_REDIS_URL use) implements XADD, XLEN, XRANGE and XREAD only: XGROUP,
 * XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM all answer "not supported" (checked through
 * lib/redis, see queue.test.ts). So the queue is the classic reliable list, built from commands all
 * three backends run alike:
 *
 * Every key of the queue carries USAGE_QUEUE_KEY as its hash tag (`{conduit:usage}`), so in a
 * Redis Cluster they share one slot and the scripts below may move entries between them:
 *
 * - `{conduit:usage}` (USAGE_QUEUE_KEY) — producers LPUSH JSON records (newest on the left);
 * - `{conduit:usage}:processing:<consumer>` — a drain atomically LMOVEs up to a batch from the right
 *   of the queue into its own list (a Lua loop, one round trip), reads it, inserts into PostgreSQL,
 *   and only then acknowledges by trimming what it read. A crash at any point leaves the records
 *   in the queue or in its processing list, never nowhere;
 * - `{conduit:usage}:consumers` — a sorted set of consumer → last heartbeat (ms). A consumer whose
 *   heartbeat is older than the idle threshold (30 s) is presumed dead: any other consumer moves
 *   its processing list into its own (atomically, entry by entry) and drains it;
 * - `{conduit:usage}:dead` — entries the drain could not store (not a record, or a record
 *   PostgreSQL refused), each with the reason, newest on the left, the latest 10,000 kept
 *   (lib/usage/dead-letter.ts). They are set aside so the queue never blocks on one of them.
 *
 * Delivery is therefore at-least-once (a consumer declared dead that was only slow, or one that
 * died between COMMIT and the acknowledgement, has its records delivered again); the insert is
 * idempotent on request_id, which turns that into exactly one row per request.
 *
 * Before hash tags the same keys had no braces (`conduit:usage`, `conduit:usage:processing:<c>`…).
 * A queue is not hot state PostgreSQL can rebuild: what an older release queued there is moved
 * into the new keys by the drain until they are empty (legacy-queue.ts).
 */

/** The Redis keys of one queue. Tests use their own, so parallel runs sharing a Redis never meet. */
export interface UsageQueue {
  /** The list producers push to. */
  readonly key: string;
  /** Entries the drain could not store, with why (lib/usage/dead-letter.ts). */
  readonly deadKey: string;
  /** Sorted set: consumer → last heartbeat (epoch ms). */
  readonly consumersKey: string;
  processingKey(consumer: string): string;
  /** The queue's name: its keys before hash tags (legacy-queue.ts) are named after it. */
  readonly name: string;
}

/** The queue named `name` (1–200 of letters, digits, `_ : . -`, as USAGE_QUEUE_KEY): its keys are tagged `{name}`. */
export function usageQueue(name: string): UsageQueue {
  const tagged = `{${name}}`;
  return {
    name,
    key: tagged,
    deadKey: `${tagged}:dead`,
    consumersKey: `${tagged}:consumers`,
    processingKey: (consumer) => `${tagged}:processing:${consumer}`,
  };
}

let appQueue: UsageQueue | undefined;

/** The app's queue: `{USAGE_QUEUE_KEY}` (`{conduit:usage}`), `…:consumers`, `…:processing:<consumer>`, `…:dead`. */
export function appUsageQueue(): UsageQueue {
  return (appQueue ??= usageQueue(env().USAGE_QUEUE_KEY));
}

/**
 * A memory guard for Redis, enforced by the drain rather than on every push (so the gateway pays
 * one command per record): if records pile up past this (PostgreSQL down for a long time, ~25 min
 * of traffic at 700 req/s), the drain drops the OLDEST beyond it and logs how many — losing usage
 * history is bad, but a Redis out of memory stops the gateway itself.
 */
export const USAGE_QUEUE_CAP = 1_000_000;

/** A pipeline or MULTI of @upstash/redis (both are this type). */
export type UsagePipeline = ReturnType<Redis['pipeline']>;

/**
 * Adds `record` to `pipeline`, e.g. the gateway's settlement MULTI, so a settled request and its
 * usage record reach Redis together in one round trip. Nothing is sent until the caller execs.
 */
export function enqueueUsage(pipeline: UsagePipeline, record: UsageRecord, queue: UsageQueue = appUsageQueue()): void {
  // Serialised here rather than by the SDK so the queue holds exactly the record's JSON.
  pipeline.lpush(queue.key, serialise(record));
}

/**
 * The one way a record becomes a queue entry, for every producer: text fields cleaned first
 * (record.ts), because PostgreSQL refuses the json of a lone surrogate or a NUL, and the drain
 * stores a batch as one json value — so a record queued as sent could fail everyone's batch.
 */
function serialise(record: UsageRecord): string {
  return JSON.stringify(cleanRecord(record));
}

/** `record` as the gateway's settlement queues it (lib/limits/admission.ts `settle`). */
export function queuedRecord(record: UsageRecord, queue: UsageQueue = appUsageQueue()): { queueKey: string; json: string } {
  return { queueKey: queue.key, json: serialise(record) };
}

/**
 * For records not tied to a settlement (e.g. a request refused before admission, a link's
 * request): sent with the next Redis pipeline that leaves, within a few milliseconds
 * (lib/redis/soon.ts); resolves once Redis has it.
 */
export async function enqueueUsageNow(
  record: UsageRecord,
  redis: Redis = getRedis(),
  queue: UsageQueue = appUsageQueue(),
): Promise<void> {
  await runCommandLater(redis, ['lpush', queue.key, serialise(record)]);
}
