import 'server-only';
import { hostname } from 'node:os';
import type { Redis } from '@upstash/redis';
import type { Database } from '@/db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { metrics } from '@/lib/observability/metrics';
import { nextTurn, SLICE } from '@/lib/server/next-turn';
import { checkAutoTopUps } from '@/lib/billing/auto-top-up';
import { randomId } from '@/lib/keys/secret';
import { getRedis } from '@/lib/redis/client';
import { acknowledge, claimBatch, retireConsumer } from './consumer';
import { deadLetter, deadLetterOf, type DeadLetter } from './dead-letter';
import { appUsageQueue, type UsageQueue } from './queue';
import { usageRecordSchema, type UsageRecord } from './record';
import { pruneUsage } from './retention';
import { describeDatabaseError } from './sql-state';
import { storeIsolating, type Refusal } from './store';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'usage' });

/**
 * Moves usage records from the Redis queue (queue.ts) into PostgreSQL, a batch at a time, in one
 * transaction per batch (store.ts): the rows (idempotent on request_id), one 'usage' ledger debit
 * per account for the rows really inserted, the keys' last_used_at, and the hourly rollups of
 * those same rows. Acknowledged only after COMMIT.
 *
 * Dying after COMMIT but before the acknowledgement redelivers the batch: its rows conflict, so
 * RETURNING yields nothing and nothing is debited again. That is why debits are computed from
 * RETURNING and never from the batch as read.
 *
 * What can never be stored — an entry that is not a usage record, a record PostgreSQL refuses —
 * goes to the dead-letter list (dead-letter.ts) with the batch's acknowledgement, so the queue
 * never stalls behind it. An unreachable database is not such a case: the pass throws and the
 * whole batch stays claimed, to be retried.
 */

/**
 * Each pass has fixed costs (a transaction, the ledger, keys' last use, rollups, alerts), so under
 * load bigger batches cost less per record; the drain shares the gateway's process and cores.
 */
export const DEFAULT_BATCH_SIZE = 1_000;
/** A batch is at most 2× this (leftovers + recovered): one JSON parameter, a few hundred kB. */
const MAX_BATCH_SIZE = 2_000;
/** A consumer silent for this long is presumed dead and its batch is taken over. */
export const DEFAULT_IDLE_MS = 30_000;

export interface DrainOptions {
  /** Unique per running drain; defaults to this process's name. */
  consumer?: string;
  batchSize?: number;
  /** How long before another consumer's unacknowledged batch is taken over. */
  idleMs?: number;
  redis?: Redis;
  /** Which queue; the app's by default (tests use their own). */
  queue?: UsageQueue;
  /** Which database; the app's by default (tests point one at a closed port). */
  db?: Database;
}

export interface DrainResult {
  /** Rows newly written to usage_records. */
  inserted: number;
  /** Valid records already stored (or repeated within the batch): redeliveries. */
  duplicates: number;
  /** Entries taken over from dead consumers in this pass. */
  recovered: number;
  /** Entries that were not valid usage records: dead-lettered and acknowledged. */
  malformed: number;
  /** Valid records PostgreSQL refused all the same: dead-lettered and acknowledged. */
  refused: number;
  /** Entries moved to the dead-letter list in this pass: malformed + refused. */
  deadLettered: number;
  /** Entries read (and acknowledged) in this pass. */
  read: number;
}

type Registry = typeof globalThis & { [CONSUMER]?: string; [LOCKS]?: Map<string, Promise<unknown>>; [LOOP]?: Loop };
const CONSUMER = Symbol.for('conduit.usage.consumer');
const LOCKS = Symbol.for('conduit.usage.locks');
const LOOP = Symbol.for('conduit.usage.loop');
const registry = globalThis as Registry;

/** This process's consumer name: unique, so a restarted process never mistakes another's batch for its own. */
export function processConsumerName(): string {
  return (registry[CONSUMER] ??= `${hostname()}:${process.pid}:${randomId('c').slice(2, 10)}`);
}

/**
 * Acknowledging trims the processing list by count (consumer.ts), which is only right if one
 * pass per consumer runs at a time: passes of the same name within this process queue up.
 */
function serialised<T>(consumer: string, task: () => Promise<T>): Promise<T> {
  const locks = (registry[LOCKS] ??= new Map());
  const previous = locks.get(consumer) ?? Promise.resolve();
  const result = previous.catch(() => undefined).then(task);
  const tail = result.catch(() => undefined);
  locks.set(consumer, tail);
  void tail.then(() => {
    if (locks.get(consumer) === tail) locks.delete(consumer);
  });
  return result;
}

export function drainUsageOnce(options: DrainOptions = {}): Promise<DrainResult> {
  const consumer = options.consumer ?? processConsumerName();
  return serialised(consumer, () => drainPass(consumer, options));
}

async function drainPass(consumer: string, options: DrainOptions): Promise<DrainResult> {
  const redis = options.redis ?? getRedis();
  const queue = options.queue ?? appUsageQueue();
  const batchSize = Math.min(Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE)), MAX_BATCH_SIZE);
  const batch = await claimBatch(redis, queue, consumer, batchSize, options.idleMs ?? DEFAULT_IDLE_MS);
  if (batch.dropped > 0) {
    log.error({ dropped: batch.dropped }, 'queue over its cap: dropped the oldest usage records (is PostgreSQL reachable?)');
  }

  // Each record with the entry it came from: a refused record is dead-lettered as it was queued.
  const records = new Map<string, { record: UsageRecord; entry: unknown }>();
  const letters: DeadLetter[] = [];
  let repeated = 0;
  for (const [i, entry] of batch.entries.entries()) {
    if (i > 0 && i % SLICE === 0) await nextTurn();
    const decoded = decode(entry);
    const parsed = usageRecordSchema.safeParse(decoded);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const reason = `not a usage record: ${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`;
      const letter = deadLetterOf(entry, reason, requestIdOf(decoded), consumer);
      letters.push(letter);
      log.error({ requestId: letter.requestId, reason }, 'dead-lettered a queue entry');
    } else if (records.has(parsed.data.requestId)) {
      repeated++;
    } else {
      records.set(parsed.data.requestId, { record: parsed.data, entry });
    }
  }
  const malformed = letters.length;

  const refusals: Refusal[] = [];
  const valid = [...records.values()].map(({ record }) => record);
  const stored = valid.length > 0 ? await storeIsolating(valid, `${consumer}/${randomId('b')}`, refusals, options.db) : undefined;
  for (const { record, error } of refusals) {
    const reason = `PostgreSQL refused it: ${describeDatabaseError(error)}`;
    letters.push(deadLetterOf(records.get(record.requestId)?.entry, reason, record.requestId, consumer));
    log.error({ requestId: record.requestId, reason }, 'dead-lettered a usage record');
  }
  // Before the acknowledgement: dying in between re-delivers the batch rather than losing the entries.
  await deadLetter(redis, queue, letters);
  await acknowledge(redis, queue, consumer, batch.entries.length);

  const { inserted, orphaned, debited, chargedKeys } = stored ?? { inserted: 0, orphaned: 0, debited: [], chargedKeys: [] };
  observePass(valid, inserted, letters.length);
  // Accounts whose credit just went down may need an automatic top-up (charged off the hot path).
  if (debited.length > 0) trackTopUp(checkAutoTopUps(debited));
  // After COMMIT and off the request path; an alert failure must never hold the queue up.
  await evaluateAlerts({ keyIds: chargedKeys, userIds: debited }).catch((error: unknown) => log.error({ err: error }, 'alert evaluation failed'));
  return {
    inserted,
    duplicates: records.size - orphaned - inserted - refusals.length + repeated,
    recovered: batch.recovered,
    malformed,
    refused: refusals.length,
    deadLettered: letters.length,
    read: batch.entries.length,
  };
}

/** The drain's figures for /metrics: records moved, records set aside, how late the oldest arrived. */
function observePass(valid: UsageRecord[], inserted: number, deadLettered: number): void {
  const { drained, drainLag } = metrics();
  if (inserted > 0) drained.labels('stored').inc(inserted);
  if (deadLettered > 0) drained.labels('dead_lettered').inc(deadLettered);
  if (valid.length === 0) return;
  let oldest = valid[0]!.createdAt;
  for (const record of valid) if (record.createdAt < oldest) oldest = record.createdAt;
  drainLag.set(Math.max(0, (Date.now() - oldest) / 1000));
}

/**
 * Top-ups started by passes and not yet finished. A timer's pass need not wait for them, but a
 * serverless function is frozen once it has answered: /api/cron awaits them first (topUpsSettled).
 */
const topUps = new Set<Promise<void>>();

function trackTopUp(topUp: Promise<void>): void {
  topUps.add(topUp);
  void topUp.finally(() => topUps.delete(topUp));
}

/** Resolves once every automatic top-up started so far has finished (they never reject). */
export async function topUpsSettled(): Promise<void> {
  await Promise.all(topUps);
}

/** The SDK decodes JSON entries already; a string left is either not JSON or JSON in a string. */
function decode(entry: unknown): unknown {
  if (typeof entry !== 'string') return entry;
  try {
    return JSON.parse(entry);
  } catch {
    return entry;
  }
}

/** For the log and the dead letter: the request id of an entry the schema refused, if it has a usable one. */
function requestIdOf(decoded: unknown): string | null {
  const id = typeof decoded === 'object' && decoded !== null ? (decoded as { requestId?: unknown }).requestId : undefined;
  return typeof id === 'string' ? id.slice(0, 200).toWellFormed() : null;
}

// --- The background loop --------------------------------------------------------------------

interface Loop {
  stopped: boolean;
  consumer: string;
  queue: UsageQueue;
  timer?: NodeJS.Timeout;
  pass?: Promise<void>;
  pruner?: NodeJS.Timeout;
}

/** Retention runs a minute after start, then hourly (every instance: deleting is idempotent). */
const PRUNE_FIRST_MS = 60_000;
const PRUNE_INTERVAL_MS = 3_600_000;

const IDLE_INTERVAL_MS = 1_000;
const ERROR_INTERVAL_MS = 5_000;

/**
 * Drains in the background, once per process however often it is called: every second while the
 * queue is quiet, straight again while batches come back full. Never throws; failures are
 * logged and retried (the batch stays claimed by this consumer meanwhile).
 */
export function startUsageDrain(options: { batchSize?: number; queue?: UsageQueue } = {}): void {
  if (registry[LOOP]) return;
  const loop: Loop = { stopped: false, consumer: processConsumerName(), queue: options.queue ?? appUsageQueue() };
  registry[LOOP] = loop;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  const pass = async () => {
    let delay = IDLE_INTERVAL_MS;
    try {
      const result = await drainUsageOnce({ consumer: loop.consumer, batchSize, queue: loop.queue });
      if (result.read >= batchSize) delay = 0;
    } catch (error) {
      // Described, not dumped: drizzle's error carries the whole batch as its query parameters.
      log.error({ reason: describeDatabaseError(error), retryInMs: ERROR_INTERVAL_MS }, 'drain pass failed');
      delay = ERROR_INTERVAL_MS;
    }
    if (loop.stopped) return;
    loop.timer = setTimeout(() => {
      loop.pass = pass();
    }, delay);
    // Never the reason a process stays alive (tests, scripts); a server has its listener.
    loop.timer.unref();
  };
  // The first pass waits one interval too: a server spends its first second loading code, and a
  // Redis command issued meanwhile can outlast DEPENDENCY_TIMEOUT_MS on the busy event loop.
  loop.timer = setTimeout(() => {
    loop.pass = pass();
  }, IDLE_INTERVAL_MS);
  loop.timer.unref();

  const prune = () => {
    pruneUsage()
      .then((deleted) => deleted > 0 && log.info({ deleted }, 'retention: deleted raw usage records'))
      .catch((error: unknown) => log.error({ err: error }, 'retention failed'))
      .finally(() => {
        if (loop.stopped) return;
        loop.pruner = setTimeout(prune, PRUNE_INTERVAL_MS);
        loop.pruner.unref();
      });
  };
  loop.pruner = setTimeout(prune, PRUNE_FIRST_MS);
  loop.pruner.unref();
}

/** Whether this process runs the background drain (startUsageDrain, until stopUsageDrain). */
export function usageDrainRunning(): boolean {
  return registry[LOOP] !== undefined;
}

/** Stops the loop after its current pass; a consumer with nothing in hand leaves the group. */
export async function stopUsageDrain(): Promise<void> {
  const loop = registry[LOOP];
  if (!loop) return;
  loop.stopped = true;
  clearTimeout(loop.timer);
  clearTimeout(loop.pruner);
  await loop.pass;
  registry[LOOP] = undefined;
  await retireConsumer(getRedis(), loop.queue, loop.consumer).catch((error: unknown) => log.error({ err: error }, 'retiring the drain consumer failed'));
}
