import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { testQueueName, usageRecord } from './fixtures';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded.
const services = await useTestServices();
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { apiKeys, creditLedger, usageRecords } = await import('@/db/schema');
const { and, eq, inArray, sql } = await import('drizzle-orm');
const { getRedis } = await import('@/lib/redis/client');
const { claimBatch } = await import('./consumer');
const { drainUsageOnce, startUsageDrain, stopUsageDrain } = await import('./drain');
const { enqueueUsage, enqueueUsageNow, usageQueue } = await import('./queue');
const { deadLetterCount } = await import('./dead-letter');
type UsageQueue = import('./queue').UsageQueue;
type UsageRecord = import('./record').UsageRecord;

const queues: UsageQueue[] = [];
/** Each test drains its own queue: no test (or parallel CI run) sees another's records. */
function freshQueue(): UsageQueue {
  const queue = usageQueue(testQueueName());
  queues.push(queue);
  return queue;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const userIds = Array.from({ length: 5 }, () => `user_${randomUUID()}`);

async function enqueueAll(queue: UsageQueue, records: UsageRecord[]) {
  const redis = getRedis();
  for (let i = 0; i < records.length; i += 500) {
    const pipeline = redis.pipeline();
    for (const record of records.slice(i, i + 500)) enqueueUsage(pipeline, record, queue);
    await pipeline.exec();
  }
}

/** Drains until a pass reads nothing; sums what the passes report. */
async function drainAll(queue: UsageQueue, consumer: string, extra: { idleMs?: number } = {}) {
  const total = { inserted: 0, duplicates: 0, recovered: 0, malformed: 0, deadLettered: 0, read: 0 };
  for (;;) {
    const result = await drainUsageOnce({ queue, consumer, ...extra });
    for (const field of Object.keys(total) as (keyof typeof total)[]) total[field] += result[field];
    if (result.read === 0) return total;
  }
}

async function rowsOf(requestIds: string[]) {
  const db = await getDb();
  return db.select().from(usageRecords).where(inArray(usageRecords.requestId, requestIds));
}

async function usageDebits(userId?: string) {
  const db = await getDb();
  const where = userId ? and(eq(creditLedger.kind, 'usage'), eq(creditLedger.userId, userId)) : eq(creditLedger.kind, 'usage');
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)::bigint`.mapWith(Number), count: sql<number>`count(*)::int` })
    .from(creditLedger)
    .where(where);
  return row ?? { total: 0, count: 0 };
}

/** A Redis whose LTRIM (the acknowledgement) fails: the process "dies" after COMMIT, before ACK. */
function dyingBeforeAck(redis: Redis): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'ltrim') return () => Promise.reject(new Error('killed before acknowledging'));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

beforeAll(async () => {
  const db = await getDb();
  await insertPeople(db, userIds.map((id, i) => ({ id, email: `drain-${i}-${id}@example.com` })));
});

afterAll(async () => {
  await stopUsageDrain();
  const redis = getRedis();
  for (const queue of queues) {
    const consumers = await redis.zrange<string[]>(queue.consumersKey, 0, -1);
    await redis.del(queue.key, queue.deadKey, queue.consumersKey, ...consumers.map((c) => queue.processingKey(c)));
  }
  await services.cleanup();
});

describe(`usage drain on ${services.label}`, () => {
  it('drains enqueued records into usage_records exactly once, field for field', async () => {
    const queue = freshQueue();
    const records = Array.from({ length: 30 }, (_, i) =>
      usageRecord({ userId: userIds[i % 2]!, keyId: `key_${i % 3}`, costMicros: 100 + i, endUser: `end-${i}` }),
    );
    await enqueueAll(queue, records.slice(0, 25));
    for (const record of records.slice(25)) await enqueueUsageNow(record, getRedis(), queue);

    expect(await drainAll(queue, 'c1')).toMatchObject({ inserted: 30, duplicates: 0, malformed: 0, read: 30 });
    expect(await drainAll(queue, 'c1')).toMatchObject({ inserted: 0, read: 0 });

    const rows = await rowsOf(records.map((r) => r.requestId));
    expect(rows).toHaveLength(30);
    const stored = rows.find((row) => row.requestId === records[7]!.requestId);
    expect(stored).toEqual({ ...records[7], createdAt: new Date(records[7]!.createdAt) });
  });

  it('stores text as it was sent (quotes, backslashes, newlines, emoji) and every kind of column exactly', async () => {
    const queue = freshQueue();
    const record = usageRecord({
      userId: userIds[3]!,
      endUser: 'o\'brien "the \\ user"\n👋 ✓',
      errorCode: 'upstream_stream_error',
      model: 'gpt-4o-mini',
      stream: true,
      ttftMs: 123,
      costMicros: 9_007_199_254,
      requestBytes: 3_000_000_000,
      createdAt: Date.parse('2030-02-03T04:05:06.789Z'),
    });
    await enqueueUsageNow(record, getRedis(), queue);
    expect(await drainAll(queue, 'c1')).toMatchObject({ inserted: 1 });
    const [row] = await rowsOf([record.requestId]);
    expect(row).toEqual({ ...record, createdAt: new Date(record.createdAt) });
  });

  it('stores refused requests without an account, with their status and error code', async () => {
    const queue = freshQueue();
    const refused = usageRecord({ status: 401, errorCode: 'invalid_api_key', costMicros: 0, inputTokens: 0, outputTokens: 0 });
    await enqueueUsageNow(refused, getRedis(), queue);
    expect(await drainAll(queue, 'c1')).toMatchObject({ inserted: 1 });
    const [row] = await rowsOf([refused.requestId]);
    expect(row).toMatchObject({ userId: null, status: 401, errorCode: 'invalid_api_key', costMicros: 0 });
  });

  it('the same record enqueued twice (same batch, or later) gives one row and one debit', async () => {
    const queue = freshQueue();
    const userId = userIds[2]!;
    const before = await usageDebits(userId);
    const record = usageRecord({ userId, costMicros: 7_777 });
    await enqueueAll(queue, [record, record]);
    expect(await drainAll(queue, 'c1')).toMatchObject({ inserted: 1, duplicates: 1 });
    await enqueueAll(queue, [record]);
    expect(await drainAll(queue, 'c2')).toMatchObject({ inserted: 0, duplicates: 1 });

    expect(await rowsOf([record.requestId])).toHaveLength(1);
    const after = await usageDebits(userId);
    expect(after.total - before.total).toBe(-7_777);
    expect(after.count - before.count).toBe(1);
  });

  it('a consumer that dies holding a batch: another one takes it over once it is idle long enough', async () => {
    const queue = freshQueue();
    const records = Array.from({ length: 40 }, () => usageRecord({ userId: userIds[3]!, costMicros: 10 }));
    await enqueueAll(queue, records);
    // "dead" claims 25 and is never heard of again.
    const claimed = await claimBatch(getRedis(), queue, 'dead', 25, 30_000);
    expect(claimed.entries).toHaveLength(25);

    // While it might still be alive, its batch is left alone.
    expect(await drainAll(queue, 'rescuer', { idleMs: 60_000 })).toMatchObject({ inserted: 15, recovered: 0 });
    await sleep(150);
    expect(await drainAll(queue, 'rescuer', { idleMs: 100 })).toMatchObject({ inserted: 25, recovered: 25, duplicates: 0 });

    const rows = await rowsOf(records.map((r) => r.requestId));
    expect(rows).toHaveLength(40);
    expect(await getRedis().llen(queue.processingKey('dead'))).toBe(0);
    // The dead consumer is forgotten once its batch is taken over.
    expect(await getRedis().zscore(queue.consumersKey, 'dead')).toBeNull();
  });

  it('dying after COMMIT but before the acknowledgement: redelivered, no new rows, no second debit', async () => {
    const queue = freshQueue();
    const userId = userIds[4]!;
    const before = await usageDebits(userId);
    const records = Array.from({ length: 20 }, (_, i) => usageRecord({ userId, costMicros: 1_000 + i }));
    await enqueueAll(queue, records);

    await expect(drainUsageOnce({ queue, consumer: 'crashy', redis: dyingBeforeAck(getRedis()) })).rejects.toThrow(/killed/);
    expect(await rowsOf(records.map((r) => r.requestId))).toHaveLength(20);
    const charged = records.reduce((sum, r) => sum + r.costMicros, 0);
    expect((await usageDebits(userId)).total - before.total).toBe(-charged);

    await sleep(150);
    expect(await drainAll(queue, 'rescuer', { idleMs: 100 })).toMatchObject({ recovered: 20, inserted: 0, duplicates: 20 });
    expect((await usageDebits(userId)).total - before.total).toBe(-charged);
  });

  it('two drains running at once on 2,000 records (300 sent twice) write exactly 2,000 rows, debited once', async () => {
    const db = await getDb();
    const queue = freshQueue();
    const before = await Promise.all(userIds.map((id) => usageDebits(id)));
    const records = Array.from({ length: 2_000 }, (_, i) =>
      usageRecord({ userId: userIds[i % userIds.length]!, costMicros: 1 + (i % 97) * 13 }),
    );
    // 300 of them twice, so the two drains also race to insert the same request ids.
    await enqueueAll(queue, [...records.slice(0, 1_000), ...records.slice(0, 300), ...records.slice(1_000)]);

    const [a, b] = await Promise.all([drainAll(queue, 'para-a'), drainAll(queue, 'para-b')]);
    expect(a.inserted + b.inserted).toBe(2_000);
    expect(a.duplicates + b.duplicates).toBe(300);

    const ids = records.map((r) => r.requestId);
    const [stored] = await db
      .select({ count: sql<number>`count(*)::int`, cost: sql<number>`sum(${usageRecords.costMicros})::bigint`.mapWith(Number) })
      .from(usageRecords)
      .where(inArray(usageRecords.requestId, ids));
    const expectedCost = records.reduce((sum, r) => sum + r.costMicros, 0);
    expect(stored).toEqual({ count: 2_000, cost: expectedCost });

    const after = await Promise.all(userIds.map((id) => usageDebits(id)));
    userIds.forEach((id, i) => {
      const own = records.filter((r) => r.userId === id).reduce((sum, r) => sum + r.costMicros, 0);
      expect(after[i]!.total - before[i]!.total).toBe(-own);
    });
  });

  it('the usage entries of the ledger sum to minus the cost of all stored rows', async () => {
    const db = await getDb();
    const [stored] = await db
      .select({ cost: sql<number>`coalesce(sum(${usageRecords.costMicros}), 0)::bigint`.mapWith(Number) })
      .from(usageRecords);
    expect((await usageDebits()).total).toBe(-(stored?.cost ?? 0));
  });

  it('malformed entries are dead-lettered and acknowledged; they never block the records behind them', async () => {
    const queue = freshQueue();
    const redis = getRedis();
    const good = Array.from({ length: 5 }, () => usageRecord({ userId: userIds[0]! }));
    // PostgreSQL text cannot hold NUL: the record is kept, the character is not.
    const withNul = usageRecord({ endUser: 'ali\u0000ce' });
    await redis.lpush(queue.key, 'not json at all');
    await redis.lpush(queue.key, JSON.stringify({ requestId: 'req_partial' }));
    await redis.lpush(queue.key, JSON.stringify({ ...usageRecord(), status: 'ok' }));
    await redis.lpush(queue.key, JSON.stringify({ ...usageRecord(), inputTokens: 2 ** 40 }));
    await enqueueAll(queue, [...good, withNul]);

    expect(await drainAll(queue, 'c1')).toMatchObject({ malformed: 4, inserted: 6, read: 10 });
    expect(await deadLetterCount(queue)).toBe(4);
    expect(await rowsOf(good.map((r) => r.requestId))).toHaveLength(5);
    expect((await rowsOf([withNul.requestId]))[0]?.endUser).toBe('alice');
    expect(await redis.llen(queue.processingKey('c1'))).toBe(0);
  });

  it('skips records of accounts deleted since, instead of failing the batch', async () => {
    const queue = freshQueue();
    const kept = usageRecord({ userId: userIds[1]! });
    const orphan = usageRecord({ userId: `user_${randomUUID()}`, costMicros: 99 });
    await enqueueAll(queue, [orphan, kept]);
    expect(await drainAll(queue, 'c1')).toMatchObject({ inserted: 1, duplicates: 0, read: 2 });
    expect(await rowsOf([kept.requestId, orphan.requestId])).toHaveLength(1);
  });

  it('moves api_keys.last_used_at forward to the latest request, never back', async () => {
    const db = await getDb();
    const queue = freshQueue();
    const key = (id: string, lastUsedAt: Date | null) => ({
      id,
      userId: userIds[0]!,
      name: id,
      hash: `hash_${randomUUID()}`,
      start: 'condt_test',
      lastUsedAt,
    });
    const later = new Date('2030-01-01T00:00:00Z');
    await db.insert(apiKeys).values([key('key_fresh', null), key('key_future', later)]);
    const t = Date.parse('2029-06-01T00:00:00Z');
    await enqueueAll(queue, [
      usageRecord({ keyId: 'key_fresh', createdAt: t }),
      usageRecord({ keyId: 'key_fresh', createdAt: t + 5_000 }),
      usageRecord({ keyId: 'key_future', createdAt: t }),
    ]);
    await drainAll(queue, 'c1');
    const rows = await db.select({ id: apiKeys.id, lastUsedAt: apiKeys.lastUsedAt }).from(apiKeys).where(inArray(apiKeys.id, ['key_fresh', 'key_future']));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.lastUsedAt]))).toEqual({ key_fresh: new Date(t + 5_000), key_future: later });
  });

  it('startUsageDrain drains in the background, once per process, until stopUsageDrain', async () => {
    const queue = freshQueue();
    startUsageDrain({ queue });
    startUsageDrain({ queue }); // a second call is a no-op
    const records = Array.from({ length: 12 }, () => usageRecord());
    await enqueueAll(queue, records);
    await expect.poll(async () => (await rowsOf(records.map((r) => r.requestId))).length, { timeout: 10_000 }).toBe(12);
    await stopUsageDrain();

    const late = usageRecord();
    await enqueueUsageNow(late, getRedis(), queue);
    await sleep(1_500);
    expect(await rowsOf([late.requestId])).toHaveLength(0);
    expect(await getRedis().llen(queue.key)).toBe(1);
  });
});
