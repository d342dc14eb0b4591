import 'server-only';
import { hostname } from 'node:os';
import type { Redis } from '@upstash/redis';
import { getDb } from '@/db';
import { evaluateAlerts } from '@/lib/alerts/evaluate';
import { insertLedgerEntries, type NewLedgerEntry } from '@/db/queries/credit';
import { upsertRollups } from '@/db/queries/rollups';
import { nextTurn, SLICE } from '@/lib/server/next-turn';
import { existingUserIds, insertUsageRows, touchKeysLastUsed } from '@/db/queries/usage';
import type { NewUsageRow } from '@/db/schema';
import { checkAutoTopUps } from '@/lib/billing/auto-top-up';
import { randomId } from '@/lib/keys/secret';
import { getRedis } from '@/lib/redis/client';
import { acknowledge, claimBatch, retireConsumer } from './consumer';
import { appUsageQueue, type UsageQueue } from './queue';
import { usageRecordSchema, type UsageRecord } from './record';
import { pruneUsage, retentionCutoff } from './retention';
import { aggregateRollups } from './rollups/aggregate';

/**
 * Moves usage records from the Redis queue (queue.ts) into PostgreSQL, a batch at a time, in one
 * transaction per batch: the rows (idempotent on request_id), one 'usage' ledger debit per account
 * for the rows really inserted, the keys' last_used_at, and the hourly rollups of those same rows. Acknowledged only after COMMIT.
 *
 * Dying after COMMIT but before the acknowledgement redelivers the batch: its rows conflict, so
 * RETURNING yields nothing and nothing is debited again. That is why debits are computed from
 * RETURNING and never from the batch as read.
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
}

export interface DrainResult {
  /** Rows newly written to usage_records. */
  inserted: number;
  /** Valid records already stored (or repeated within the batch): redeliveries. */
  duplicates: number;
  /** Entries taken over from dead consumers in this pass. */
  recovered: number;
  /** Entries that were not valid usage records: logged and acknowledged. */
  malformed: number;
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
    console.error(`[usage] queue over its cap: dropped the ${batch.dropped} oldest usage records (is PostgreSQL reachable?)`);
  }

  const records = new Map<string, UsageRecord>();
  let malformed = 0;
  let repeated = 0;
  for (const [i, entry] of batch.entries.entries()) {
    if (i > 0 && i % SLICE === 0) await nextTurn();
    const parsed = usageRecordSchema.safeParse(decode(entry));
    if (!parsed.success) {
      malformed++;
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      console.error(`[usage] dropping a malformed queue entry (${where}${issue?.message ?? 'invalid'}): ${preview(entry)}`);
    } else if (records.has(parsed.data.requestId)) {
      repeated++;
    } else {
      records.set(parsed.data.requestId, parsed.data);
    }
  }

  const empty = { inserted: 0, orphaned: 0, debited: [], chargedKeys: [] };
  const { inserted, orphaned, debited, chargedKeys } = records.size > 0 ? await store([...records.values()], consumer) : empty;
  await acknowledge(redis, queue, consumer, batch.entries.length);
  // Accounts whose credit just went down may need an automatic top-up (charged off the hot path).
  if (debited.length > 0) void checkAutoTopUps(debited);
  // After COMMIT and off the request path; an alert failure must never hold the queue up.
  await evaluateAlerts({ keyIds: chargedKeys, userIds: debited }).catch((error: unknown) => console.error('[usage] alert evaluation failed:', error));
  return {
    inserted,
    duplicates: records.size - orphaned - inserted + repeated,
    recovered: batch.recovered,
    malformed,
    read: batch.entries.length,
  };
}

/**
 * One transaction: rows, ledger debits, keys' last use, rollups. Counts new rows and records of
 * deleted accounts, and names the accounts and keys charged by new rows (top-ups and alerts look at them).
 */
async function store(records: UsageRecord[], consumer: string): Promise<{ inserted: number; orphaned: number; debited: string[]; chargedKeys: string[] }> {
  const db = await getDb();
  const batchId = `${consumer}/${randomId('b')}`;
  return db.transaction(async (tx) => {
    // Usage of an account deleted since the request goes with the account (as its rows would
    // have, ON DELETE CASCADE); inserting it would fail the whole batch on the foreign key.
    const userIds = new Set(records.flatMap((r) => (r.userId === null ? [] : [r.userId])));
    const known = await existingUserIds(tx, [...userIds]);
    // A record older than retention may be the redelivery of a row pruned since: storing it
    // would count it in the rollups a second time.
    const cutoff = retentionCutoff()?.getTime() ?? 0;
    const rows = records.filter((r) => (r.userId === null || known.has(r.userId)) && r.createdAt >= cutoff).map(toRow);
    const orphaned = records.length - rows.length;
    if (orphaned > 0) console.warn(`[usage] skipped ${orphaned} records of deleted accounts or past retention`);
    if (rows.length === 0) return { inserted: 0, orphaned, debited: [], chargedKeys: [] };

    const inserted = await insertUsageRows(tx, rows);
    const cost = new Map<string, number>();
    const lastUsed = new Map<string, Date>();
    for (const row of inserted) {
      if (row.userId !== null && row.costMicros > 0) cost.set(row.userId, (cost.get(row.userId) ?? 0) + row.costMicros);
      if (row.keyId !== null) {
        const latest = lastUsed.get(row.keyId);
        if (!latest || row.createdAt > latest) lastUsed.set(row.keyId, row.createdAt);
      }
    }
    const debits: NewLedgerEntry[] = [...cost].map(([userId, micros]) => ({
      id: randomId('cr'),
      userId,
      kind: 'usage',
      amountMicros: -micros,
      // Unique per batch and account: UNIQUE (kind, reference) then guards the debit like a grant.
      reference: `${batchId}/${userId}`,
    }));
    await insertLedgerEntries(tx, debits);
    await touchKeysLastUsed(tx, lastUsed);
    await upsertRollups(tx, aggregateRollups(inserted));
    const chargedKeys = inserted.flatMap((row) => (row.costMicros > 0 && row.keyId !== null ? [row.keyId] : []));
    return { inserted: inserted.length, orphaned, debited: [...cost.keys()], chargedKeys: [...new Set(chargedKeys)] };
  });
}

function toRow(record: UsageRecord): NewUsageRow & Omit<UsageRecord, 'createdAt'> {
  return { ...record, createdAt: new Date(record.createdAt) };
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

function preview(entry: unknown): string {
  const text = typeof entry === 'string' ? entry : JSON.stringify(entry) ?? String(entry);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
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
      console.error('[usage] drain pass failed; retrying in 5 s:', error);
      delay = ERROR_INTERVAL_MS;
    }
    if (loop.stopped) return;
    loop.timer = setTimeout(() => {
      loop.pass = pass();
    }, delay);
    // Never the reason a process stays alive (tests, scripts); a server has its listener.
    loop.timer.unref();
  };
  loop.pass = pass();

  const prune = () => {
    pruneUsage()
      .then((deleted) => deleted > 0 && console.log(`[usage] retention: deleted ${deleted} raw usage records`))
      .catch((error: unknown) => console.error('[usage] retention failed:', error))
      .finally(() => {
        if (loop.stopped) return;
        loop.pruner = setTimeout(prune, PRUNE_INTERVAL_MS);
        loop.pruner.unref();
      });
  };
  loop.pruner = setTimeout(prune, PRUNE_FIRST_MS);
  loop.pruner.unref();
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
  await retireConsumer(getRedis(), loop.queue, loop.consumer).catch((error: unknown) => console.error('[usage] retire failed:', error));
}
