import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import IORedis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogs } from '@/lib/observability/testing';
import { useTestServices } from '@/lib/testing/services';
import { usageRecord } from './fixtures';
import { hostileString, INVALID_UTF8 } from '@/lib/testing/hostile-strings';

/**
 * Issue #14: hostile text from clients, and records PostgreSQL refuses, through the real drain
 * into real PostgreSQL and Redis (TEST_DATABASE_URL / TEST_REDIS_URL), or PGlite and the embedded
 * store without them. No record may keep another from being stored, and a database that is down
 * must never cost a record.
 */
const services = await useTestServices();
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { openDatabase } = await import('@/db/open');
const { creditLedger, usageRecords } = await import('@/db/schema');
const { and, eq, inArray, sql } = await import('drizzle-orm');
const { getRedis } = await import('@/lib/redis/client');
const { drainUsageOnce } = await import('./drain');
const { DEAD_LETTER_CAP, deadLetter, deadLetterCount, deadLetterOf, recentDeadLetters, replayDeadLetters } = await import('./dead-letter');
const { freshQueue, dropTestQueues, seededRandom } = await import('./drain-testing');
const { enqueueUsage } = await import('./queue');
const { cleanRecord } = await import('./record');
type UsageQueue = import('./queue').UsageQueue;
type UsageRecord = import('./record').UsageRecord;
type DrainResult = import('./drain').DrainResult;

afterAll(async () => {
  await dropTestQueues();
  await services.cleanup();
});

async function newUser(): Promise<string> {
  const id = `user_${randomUUID()}`;
  await insertPeople(await getDb(), { id, email: `dead-letter-${id}@example.com` });
  return id;
}

/** Drains until a pass reads nothing; sums what the passes report. */
async function drainAll(queue: UsageQueue, consumer: string, batchSize?: number) {
  const total: Omit<DrainResult, 'recovered'> = { inserted: 0, duplicates: 0, malformed: 0, refused: 0, deadLettered: 0, read: 0 };
  for (;;) {
    const result = await drainUsageOnce({ queue, consumer, batchSize });
    for (const field of Object.keys(total) as (keyof typeof total)[]) total[field] += result[field];
    if (result.read === 0) return total;
  }
}

async function rowsOf(requestIds: string[]) {
  return (await getDb()).select().from(usageRecords).where(inArray(usageRecords.requestId, requestIds));
}

async function debitsOf(userId: string): Promise<number> {
  const [row] = await (await getDb())
    .select({ total: sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)::bigint`.mapWith(Number) })
    .from(creditLedger)
    .where(and(eq(creditLedger.kind, 'usage'), eq(creditLedger.userId, userId)));
  return row?.total ?? 0;
}

/**
 * The row as read back. PGlite (0.5.16) decodes each text value with a TextDecoder that drops a
 * leading U+FEFF: the value is stored whole (length() counts it), only the read loses it.
 */
const embedded = !process.env.TEST_DATABASE_URL;
const asRow = (record: UsageRecord) => {
  const row: Record<string, unknown> = { ...record, createdAt: new Date(record.createdAt) };
  for (const [field, value] of Object.entries(row)) if (embedded && typeof value === 'string' && value.startsWith('\ufeff')) row[field] = value.slice(1);
  return row;
};

async function expectQueueEmpty(queue: UsageQueue, consumer: string) {
  const redis = getRedis();
  expect(await redis.llen(queue.key)).toBe(0);
  expect(await redis.llen(queue.processingKey(consumer))).toBe(0);
}

/** Entries no producer writes, pushed as they are: what the drain must set aside. */
const GARBAGE = ['not json at all', INVALID_UTF8.toString('latin1'), '{"requestId":"req_\\ud800x","truncated', JSON.stringify({ ...usageRecord(), requestId: 'req_\ud800' })];

describe(`dead letters and hostile text on ${services.label}`, () => {
  it('property: hostile user, model and error code, mixed with good records and junk, in any batch size — every record is stored once and debited, junk is dead-lettered, the queue ends empty', async () => {
    const hostileFields = fc.record({ endUser: hostileString, model: hostileString, errorCode: hostileString });
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFields, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(1, 2, 5, 13, 1_000), fc.integer(), async (hostile, goodCount, batchSize, seed) => {
        const queue = freshQueue();
        const userId = await newUser();
        const good = Array.from({ length: goodCount }, (_, i) => usageRecord({ userId, costMicros: 10 + i, endUser: `good-${i}` }));
        const bad = hostile.map((fields) => usageRecord({ userId, costMicros: 1, ...fields }));
        // Every other hostile record as an older instance queued it: raw, uncleaned JSON.
        const entries: ({ record: UsageRecord } | { raw: string })[] = [
          ...good.map((record) => ({ record })),
          ...bad.map((record, i) => (i % 2 === 0 ? { record } : { raw: JSON.stringify(record) })),
          ...GARBAGE.map((raw) => ({ raw })),
        ];
        const random = seededRandom(seed);
        for (let i = entries.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        }
        const pipeline = getRedis().pipeline();
        for (const entry of entries) {
          if ('record' in entry) enqueueUsage(pipeline, entry.record, queue);
          else pipeline.lpush(queue.key, entry.raw);
        }
        await pipeline.exec();

        const logged = captureLogs();
        let total: Awaited<ReturnType<typeof drainAll>>;
        let lines: string[];
        try {
          total = await drainAll(queue, 'prop', batchSize);
        } finally {
          logged.restore();
          lines = logged.records().filter((record) => record.msg?.includes('dead-lettered')).map((record) => JSON.stringify(record));
        }
        // One short line per dead letter, never the entry itself (it may hold a user's text).
        expect(lines).toHaveLength(GARBAGE.length);
        for (const line of lines) expect(line.length).toBeLessThan(400);
        expect(total).toMatchObject({ inserted: good.length + bad.length, duplicates: 0, malformed: GARBAGE.length, refused: 0, deadLettered: GARBAGE.length });
        const rows = new Map((await rowsOf([...good, ...bad].map((r) => r.requestId))).map((row) => [row.requestId, row]));
        for (const record of good) expect(rows.get(record.requestId)).toEqual(asRow(record));
        for (const record of bad) expect(rows.get(record.requestId)).toEqual(asRow(cleanRecord(record)));
        expect(await debitsOf(userId)).toBe(-[...good, ...bad].reduce((sum, r) => sum + r.costMicros, 0));
        await expectQueueEmpty(queue, 'prop');
        expect(await deadLetterCount(queue)).toBe(GARBAGE.length);
      }),
      { numRuns: 8 },
    );
    // Each run drains up to ~20 passes through PGlite; CI runs this beside every other test file.
  }, 180_000);

  it('bytes that are not UTF-8: junk is dead-lettered, a record with such bytes in its text is stored with U+FFFD', async () => {
    const queue = freshQueue();
    const good = usageRecord({ endUser: 'fine' });
    const json = JSON.stringify(usageRecord({ endUser: '@@' }));
    const [before, after] = json.split('@@') as [string, string];
    const withBadBytes = Buffer.concat([Buffer.from(before), INVALID_UTF8, Buffer.from(after)]);
    const tcp = process.env.TEST_REDIS_URL ? new IORedis(process.env.TEST_REDIS_URL) : undefined;
    try {
      // Only a TCP Redis holds bytes; the embedded store holds JS strings, so there the bytes
      // arrive as a Latin-1 misreading would give them.
      if (tcp) await tcp.lpush(queue.key, INVALID_UTF8, withBadBytes);
      else await getRedis().lpush(queue.key, INVALID_UTF8.toString('latin1'), withBadBytes.toString('latin1'));
    } finally {
      tcp?.disconnect();
    }
    const pipeline = getRedis().pipeline();
    enqueueUsage(pipeline, good, queue);
    await pipeline.exec();

    expect(await drainAll(queue, 'bytes')).toMatchObject({ inserted: 2, malformed: 1, deadLettered: 1 });
    const requestId = (JSON.parse(json) as UsageRecord).requestId;
    const [row] = await rowsOf([requestId]);
    expect(row!.endUser!.isWellFormed()).toBe(true);
    expect(row!.endUser).toBe(tcp ? INVALID_UTF8.toString('utf8') : INVALID_UTF8.toString('latin1'));
    expect(await rowsOf([good.requestId])).toHaveLength(1);
    await expectQueueEmpty(queue, 'bytes');
  });

  it('a record PostgreSQL refuses despite the schema goes to the dead-letter list, the rest of its batch is stored; replayed once fixed', async () => {
    const db = await getDb();
    const queue = freshQueue();
    const userId = await newUser();
    const good = Array.from({ length: 40 }, (_, i) => usageRecord({ userId, costMicros: 100 + i }));
    const poison = [usageRecord({ userId, costMicros: 7, endUser: 'refuse-me 1' }), usageRecord({ userId, costMicros: 7, endUser: 'refuse-me 2' })];
    // Stands for whatever PostgreSQL may refuse that the schema does not foresee (23514).
    await db.execute(sql.raw(`alter table usage_records add constraint test_refuse_me check (end_user is null or end_user not like 'refuse-me%')`));
    try {
      const pipeline = getRedis().pipeline();
      for (const record of [...good.slice(0, 13), poison[0]!, ...good.slice(13, 30), poison[1]!, ...good.slice(30)]) enqueueUsage(pipeline, record, queue);
      await pipeline.exec();

      // One batch: bisected around the two refused records.
      const result = await drainUsageOnce({ queue, consumer: 'bisect' });
      expect(result).toMatchObject({ read: 42, inserted: 40, refused: 2, deadLettered: 2, malformed: 0, duplicates: 0 });
      expect(await rowsOf(good.map((r) => r.requestId))).toHaveLength(40);
      expect(await rowsOf(poison.map((r) => r.requestId))).toHaveLength(0);
      expect(await debitsOf(userId)).toBe(-good.reduce((sum, r) => sum + r.costMicros, 0));
      await expectQueueEmpty(queue, 'bisect');

      const letters = await recentDeadLetters(10, queue);
      expect(letters.map((l) => l.requestId).sort()).toEqual(poison.map((r) => r.requestId).sort());
      for (const letter of letters) {
        expect(letter.reason).toMatch(/^PostgreSQL refused it: 23514 .*test_refuse_me/);
        expect(letter.consumer).toBe('bisect');
        expect(JSON.parse(letter.entry)).toEqual(poison.find((r) => r.requestId === letter.requestId));
      }
    } finally {
      await db.execute(sql.raw('alter table usage_records drop constraint if exists test_refuse_me'));
    }

    // Fixed: the operator replays them, and they are stored (and debited) like any other.
    expect(await replayDeadLetters(10, queue)).toEqual({ replayed: 2, skipped: 0 });
    expect(await deadLetterCount(queue)).toBe(0);
    expect(await drainAll(queue, 'bisect')).toMatchObject({ inserted: 2, deadLettered: 0 });
    expect(await debitsOf(userId)).toBe(-[...good, ...poison].reduce((sum, r) => sum + r.costMicros, 0));
  });

  it('PostgreSQL unreachable: the pass fails, nothing is dead-lettered, every record stays claimed and is stored once it is back', async () => {
    const queue = freshQueue();
    const records = Array.from({ length: 25 }, () => usageRecord({ endUser: '\ud800 still cleaned' }));
    const pipeline = getRedis().pipeline();
    for (const record of records) enqueueUsage(pipeline, record, queue);
    await pipeline.exec();

    const down = openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/conduit' });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(drainUsageOnce({ queue, consumer: 'outage', db: down.db })).rejects.toThrow();
      }
    } finally {
      await down.close();
    }
    expect(await deadLetterCount(queue)).toBe(0);
    expect(await getRedis().llen(queue.processingKey('outage'))).toBe(25);

    expect(await drainAll(queue, 'outage')).toMatchObject({ inserted: 25, deadLettered: 0 });
    expect(await rowsOf(records.map((r) => r.requestId))).toHaveLength(25);
    await expectQueueEmpty(queue, 'outage');
  });

  it('PostgreSQL shutting down (57P01), a deadlock (40P01): retried, never dead-lettered', async () => {
    const real = await getDb();
    for (const code of ['57P01', '40P01']) {
      const queue = freshQueue();
      const record = usageRecord();
      const pipeline = getRedis().pipeline();
      enqueueUsage(pipeline, record, queue);
      await pipeline.exec();
      const failing = new Proxy(real, {
        get: (target, property, receiver) =>
          property === 'transaction' ? () => Promise.reject(Object.assign(new Error(`server says ${code}`), { code, severity: 'FATAL' })) : Reflect.get(target, property, receiver),
      });
      await expect(drainUsageOnce({ queue, consumer: 'flaky', db: failing })).rejects.toThrow(code);
      expect(await deadLetterCount(queue)).toBe(0);
      expect(await drainAll(queue, 'flaky')).toMatchObject({ inserted: 1, deadLettered: 0 });
    }
  });

  it('the dead-letter list keeps the latest 10,000; the count and the newest are at hand', async () => {
    const queue = freshQueue();
    const letters = Array.from({ length: DEAD_LETTER_CAP + 5 }, (_, i) => deadLetterOf(`entry ${i}`, 'test', null, 'c', i));
    await deadLetter(getRedis(), queue, letters);
    expect(await deadLetterCount(queue)).toBe(DEAD_LETTER_CAP);
    expect((await recentDeadLetters(2, queue)).map((l) => l.entry)).toEqual([`entry ${DEAD_LETTER_CAP + 4}`, `entry ${DEAD_LETTER_CAP + 3}`]);
    // A junk entry far longer than any record is kept in part, marked, and never replayed.
    const long = freshQueue();
    await deadLetter(getRedis(), long, [deadLetterOf('x'.repeat(200_000), 'test', null, 'c')]);
    expect((await recentDeadLetters(1, long))[0]).toMatchObject({ truncated: true });
    expect(await replayDeadLetters(5, long)).toEqual({ replayed: 0, skipped: 1 });
    expect(await getRedis().llen(long.key)).toBe(0);
  });
});
