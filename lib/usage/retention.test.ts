import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { usageRecord } from './fixtures';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded.
const services = await useTestServices();
process.env.USAGE_RETENTION_DAYS = '31';
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');
const { usageHourly, usageHourlyEndUsers, usageRecords } = await import('@/db/schema');
const { eq, sql } = await import('drizzle-orm');
const { drainAll, dropTestQueues, enqueueAll, freshQueue } = await import('./drain-testing');
const { pruneUsage } = await import('./retention');

const DAY = 86_400_000;
const userId = `user_${randomUUID()}`;

async function totals() {
  const db = await getDb();
  const sum = (table: typeof usageHourly | typeof usageHourlyEndUsers) =>
    db
      .select({ requests: sql<number>`coalesce(sum(${table.requests}), 0)::float8`.mapWith(Number), cost: sql<number>`coalesce(sum(${table.costMicros}), 0)::float8`.mapWith(Number) })
      .from(table)
      .where(eq(table.userId, userId));
  const [[main], [endUsers], raw] = await Promise.all([
    sum(usageHourly),
    sum(usageHourlyEndUsers),
    db.select({ createdAt: usageRecords.createdAt }).from(usageRecords).where(eq(usageRecords.userId, userId)),
  ]);
  return { main, endUsers, raw: raw.length };
}

beforeAll(async () => {
  const db = await getDb();
  await insertPeople(db, { id: userId, email: `retention-${userId}@example.com` });
});

afterAll(async () => {
  await dropTestQueues();
  await services.cleanup();
});

describe(`usage retention on ${services.label}`, () => {
  it('prunes raw records older than USAGE_RETENTION_DAYS in batches and keeps the rollups', async () => {
    const now = Date.now();
    const older = Array.from({ length: 40 }, (_, i) => usageRecord({ userId, costMicros: 1_000, endUser: 'eve', createdAt: now - 20 * DAY - i * 60_000 }));
    const newer = Array.from({ length: 15 }, () => usageRecord({ userId, costMicros: 10, createdAt: now - 2 * DAY }));
    const queue = freshQueue();
    await enqueueAll(queue, [...older, ...newer]);
    await drainAll(queue, 'retention');
    const before = await totals();
    expect(before).toEqual({ main: { requests: 55, cost: 40_150 }, endUsers: { requests: 40, cost: 40_000 }, raw: 55 });

    // Fifteen days later the older records are 35 days old: past 31 days.
    expect(await pruneUsage({ now: now + 15 * DAY })).toBe(40);
    expect(await totals()).toEqual({ ...before, raw: 15 });
    expect(await pruneUsage({ now: now + 15 * DAY })).toBe(0);
  });

  it('drops a record older than retention at the drain, so a late redelivery of a pruned row cannot count twice', async () => {
    const before = await totals();
    const queue = freshQueue();
    await enqueueAll(queue, [usageRecord({ userId, costMicros: 5_000, createdAt: Date.now() - 32 * DAY })]);
    await drainAll(queue, 'retention');
    expect(await totals()).toEqual(before);
  });
});
