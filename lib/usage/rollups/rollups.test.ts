import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { usageRecord } from '../fixtures';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded.
const services = await useTestServices();
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');

const { sql } = await import('drizzle-orm');
const { getRedis } = await import('@/lib/redis/client');
const { drainUsageOnce } = await import('../drain');
const { drainAll, dropTestQueues, dyingBeforeAck, enqueueAll, freshQueue, seededRandom } = await import('../drain-testing');
const { HISTOGRAM_COLUMNS, LATENCY_BUCKETS_MS } = await import('./histogram');
const { refillRollupTiers } = await import('@/db/queries/rollup-tiers');
type UsageRecord = import('../record').UsageRecord;

const userIds = Array.from({ length: 3 }, () => `user_${randomUUID()}`);
const BUCKETS = `array[${LATENCY_BUCKETS_MS.join(',')}]`;

beforeAll(async () => {
  const db = await getDb();
  await insertPeople(db, userIds.map((id, i) => ({ id, email: `rollups-${i}-${id}@example.com` })));
});

afterAll(async () => {
  await dropTestQueues();
  await services.cleanup();
});

/** Raw rows summed the way the rollups should be, as comparable text lines. */
async function rawSums(endUsers: boolean, period: 'hour' | 'day' = 'hour'): Promise<string[]> {
  const db = await getDb();
  const truncated = `date_trunc('${period}', created_at at time zone 'UTC')`;
  const rows = await db.execute<{ line: string }>(sql.raw(`
    select concat_ws('|', user_id, to_char(${truncated}, 'YYYY-MM-DD HH24'), coalesce(key_id, ''),
      coalesce(link_id, ''), coalesce(model, ''), least(5, greatest(2, status / 100)), ${endUsers ? 'end_user' : "''"},
      count(*), sum(cost_micros), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(request_bytes),
      sum(response_bytes), sum(latency_ms), (select string_agg(n::text, ',' order by b) from (
        select b, count(h.x) as n from generate_series(0, ${LATENCY_BUCKETS_MS.length}) b
        left join lateral unnest(array_agg(width_bucket(latency_ms, ${BUCKETS}))) h(x) on h.x = b group by b) hist)) as line
    from usage_records where user_id is not null ${endUsers ? 'and end_user is not null' : ''}
    group by 1 order by 1`.replace('group by 1', `group by user_id, ${truncated}, coalesce(key_id, ''), coalesce(link_id, ''), coalesce(model, ''), least(5, greatest(2, status / 100))${endUsers ? ', end_user' : ''}`)));
  return rowsOf<{ line: string }>(rows).map((row) => row.line).sort();
}

async function rollupLines(table: 'usage_hourly' | 'usage_hourly_end_users' | 'usage_daily'): Promise<string[]> {
  const db = await getDb();
  const rows = await db.execute<{ line: string }>(sql.raw(`
    select concat_ws('|', user_id, to_char(${table === 'usage_daily' ? 'day' : 'hour'} at time zone 'UTC', 'YYYY-MM-DD HH24'), key_id, link_id, model, status_class,
      ${table === 'usage_hourly_end_users' ? 'end_user' : "''"}, requests, cost_micros, input_tokens, cached_input_tokens, output_tokens,
      request_bytes, response_bytes, latency_ms_sum, concat_ws(',', ${HISTOGRAM_COLUMNS.join(', ')})) as line
    from ${table}`));
  return rowsOf<{ line: string }>(rows).map((row) => row.line).sort();
}

/** postgres.js returns an array, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

function randomWorkload(random: () => number, count: number): UsageRecord[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const now = Date.now();
  return Array.from({ length: count }, () => {
    const viaLink = random() < 0.3;
    return usageRecord({
      userId: random() < 0.05 ? null : pick(userIds),
      keyId: viaLink ? null : pick(['key_a', 'key_b', 'key_c']),
      linkId: viaLink ? pick(['link_x', 'link_y']) : null,
      model: random() < 0.1 ? null : pick(['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku']),
      endUser: random() < 0.4 ? pick(['alice', 'bob', 'carol', 'dave']) : null,
      status: pick([200, 200, 200, 201, 400, 401, 429, 500, 502]),
      costMicros: Math.floor(random() * 5_000),
      inputTokens: Math.floor(random() * 2_000),
      cachedInputTokens: Math.floor(random() * 100),
      outputTokens: Math.floor(random() * 1_000),
      requestBytes: Math.floor(random() * 10_000),
      responseBytes: Math.floor(random() * 50_000),
      latencyMs: Math.floor(random() ** 3 * 40_000),
      // Mostly recent, some up to 3 days late.
      createdAt: now - Math.floor(random() < 0.15 ? random() * 3 * 86_400_000 : random() * 3_600_000),
    });
  });
}

describe(`hourly and daily rollups on ${services.label}`, () => {
  it('equal the raw sums after a randomized workload with late, duplicate and redelivered records', async () => {
    const random = seededRandom(7);
    const records = randomWorkload(random, 1_200);
    const queue = freshQueue();

    // In arrival order, with duplicates: some sent twice in a row (same batch), some again much later.
    const first = records.slice(0, 800);
    await enqueueAll(queue, [...first, ...first.slice(0, 50)]);
    expect(await drainAll(queue, 'c1', { batchSize: 97 })).toBe(800);

    // A drain that dies after COMMIT and before ACK: its batch is redelivered to another consumer.
    await enqueueAll(queue, records.slice(800, 1_000));
    await expect(drainUsageOnce({ queue, consumer: 'crashy', batchSize: 120, redis: dyingBeforeAck(getRedis()) })).rejects.toThrow(/killed/);

    // Late records (created before the ones already drained) and old duplicates, drained by two
    // consumers at once.
    const late = records.slice(1_000).map((r) => ({ ...r, createdAt: r.createdAt - 86_400_000 }));
    await enqueueAll(queue, [...late, ...records.slice(100, 300)]);
    await Promise.all([drainAll(queue, 'c2', { batchSize: 64 }), drainAll(queue, 'c3', { batchSize: 51 })]);
    // Then one takes over the dead consumer's batch (idle long enough: any time at all).
    await drainAll(queue, 'c4', { idleMs: 0 });

    const db = await getDb();
    const [stored] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from usage_records`));
    expect(stored!.n).toBe(1_200);

    const expected = await rawSums(false);
    expect(expected.length).toBeGreaterThan(100);
    expect(await rollupLines('usage_hourly')).toEqual(expected);
    expect(await rollupLines('usage_hourly_end_users')).toEqual(await rawSums(true));
    await expectCoarserTiers();
    // An operator's refill (after instances of an older version drained into the hourly tables
    // only) puts back exactly what the drain wrote: here, after the tiers lost rows.
    const db2 = await getDb();
    await db2.execute(sql`delete from usage_daily where status_class = 2`);
    await db2.execute(sql`delete from usage_hourly_totals where end_user_named`);
    await db2.execute(sql`update usage_daily_end_users set requests = requests + 1`);
    await refillRollupTiers(db2);
    await expectCoarserTiers();
  });
});

async function expectCoarserTiers(): Promise<void> {
  // The daily tier: the same records per UTC day, late ones in their own day, redelivered ones once.
  const daily = await rawSums(false, 'day');
  expect(new Set(daily.map((line) => line.split('|')[1])).size).toBeGreaterThan(1);
  expect(await rollupLines('usage_daily')).toEqual(daily);
  // The coarser tiers against the hourly ones just checked against the records: the totals per
  // hour and status (named end user or not) and the requests and spend per day and end user.
  const measures = `requests, cost_micros, input_tokens, cached_input_tokens, output_tokens, request_bytes, response_bytes, latency_ms_sum, ${HISTOGRAM_COLUMNS.join(', ')}`;
  const summed = (from: string, named: string) => `
    select concat_ws('|', user_id, to_char(hour at time zone 'UTC', 'YYYY-MM-DD HH24'), status_class, ${named},
      ${measures.split(', ').map((c) => `sum(${c})`).join(', ')}) as line from ${from} group by user_id, hour, status_class${named === 'end_user_named' ? ', end_user_named' : ''}`;
  const lines = async (query: string) => rowsOf<{ line: string }>(await (await getDb()).execute(sql.raw(query))).map((row) => row.line).sort();
  expect(await lines(summed('usage_hourly_totals', 'end_user_named'))).toEqual(
    await lines(`
      select line from (${summed('usage_hourly_end_users', 'true')}) named union all
      select line from (${summed(`(select user_id, hour, status_class, ${measures.split(', ').map((c) => `sum(${c}) as ${c}`).join(', ')} from (
        select user_id, hour, status_class, ${measures} from usage_hourly union all
        select user_id, hour, status_class, ${measures.split(', ').map((c) => `-${c}`).join(', ')} from usage_hourly_end_users) both_tiers
        group by 1, 2, 3 having sum(requests) <> 0) unnamed`, 'false')}) rest`),
  );
  const perDay = `to_char(date_trunc('day', hour at time zone 'UTC'), 'YYYY-MM-DD')`;
  expect(
    await lines(`select concat_ws('|', user_id, to_char(day at time zone 'UTC', 'YYYY-MM-DD'), end_user, status_class, requests, cost_micros, input_tokens, output_tokens) as line from usage_daily_end_users`),
  ).toEqual(
    await lines(`select concat_ws('|', user_id, ${perDay}, end_user, status_class, sum(requests), sum(cost_micros), sum(input_tokens), sum(output_tokens)) as line
      from usage_hourly_end_users group by user_id, ${perDay}, end_user, status_class`),
  );
}
