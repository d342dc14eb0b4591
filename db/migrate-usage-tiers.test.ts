import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { aggregateRollups, type RollupSource } from '@/lib/usage/rollups/aggregate';
import { migrationsFolder } from './migrate';
import type { Database } from './open';
import { rollupColumns } from './queries/rollups';
import { rowsOf } from './queries/usage-analytics';
import { usageHourly, usageHourlyEndUsers } from './schema';
import { createScratchDatabase, migrationsUpTo, requirePostgresInCi, testDatabaseUrl } from './test-database';

// Migrations 0013 and 0014 add the coarser rollup tiers (per day; per hour and status; per day and
// end user) and fill them from the hourly rollups an installation already has. What they fill must
// be what the drain would have written had it known the tiers from the start.

const ACCOUNT = 'tiers-account';
const start = Date.UTC(2026, 2, 27, 20);

/** Records over four days, some naming end users: the hourly rollups 0012 had are built from them. */
function records(): RollupSource[] {
  return Array.from({ length: 300 }, (_, i) => ({
    userId: ACCOUNT,
    keyId: i % 3 === 0 ? null : `key_${i % 2}`,
    linkId: i % 3 === 0 ? 'link_a' : null,
    model: i % 5 === 0 ? null : `model_${i % 3}`,
    endUser: i % 4 === 0 ? null : `user_${i % 7}`,
    status: [200, 200, 429, 500, 302][i % 5]!,
    costMicros: (i * 7_919) % 10_000,
    inputTokens: i * 3,
    cachedInputTokens: i % 11,
    outputTokens: i * 2,
    requestBytes: 100 + i,
    responseBytes: 1_000 + i,
    latencyMs: (i * 997) % 30_000,
    createdAt: new Date(start + i * 17 * 60_000),
  }));
}

async function seedHourly(db: Database, rows: RollupSource[]): Promise<void> {
  await db.execute(sql`insert into organizations (id, name) values (${ACCOUNT}, 'Tiers')`);
  const { main, endUsers } = aggregateRollups(rows);
  await db.insert(usageHourly).values(main.map((row) => (({ endUser, ...rest }) => (void endUser, rest))(rollupColumns(row))));
  await db.insert(usageHourlyEndUsers).values(endUsers.map(rollupColumns));
}

const measures = ['requests', 'cost_micros', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'request_bytes', 'response_bytes', 'latency_ms_sum', ...Array.from({ length: 25 }, (_, i) => `h${i}`)];

async function lines(db: Database, query: string): Promise<string[]> {
  return rowsOf<{ line: string }>(await db.execute(sql.raw(query))).map((row) => row.line).sort();
}

const iso = (date: Date) => date.toISOString();
const line = (...parts: (string | number | boolean)[]) => parts.join('|');
const histogramAndMeasures = (row: ReturnType<typeof aggregateRollups>['main'][number]) => [
  row.requests, row.costMicros, row.inputTokens, row.cachedInputTokens, row.outputTokens, row.requestBytes, row.responseBytes, row.latencyMsSum, ...row.latencyHist,
];

async function expectFilled(db: Database, rows: RollupSource[]): Promise<void> {
  const want = aggregateRollups(rows);
  const at = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"')`;
  expect(await lines(db, `select concat_ws('|', ${at('day')}, key_id, link_id, model, status_class, ${measures.join(', ')}) as line from usage_daily`)).toEqual(
    want.daily.map((row) => line(iso(row.hour), row.keyId, row.linkId, row.model, row.statusClass, ...histogramAndMeasures(row))).sort(),
  );
  expect(await lines(db, `select concat_ws('|', ${at('hour')}, status_class, end_user_named, ${measures.join(', ')}) as line from usage_hourly_totals`)).toEqual(
    want.totals.map((row) => line(iso(row.hour), row.statusClass, row.endUserNamed ? 't' : 'f', ...histogramAndMeasures(row))).sort(),
  );
  expect(await lines(db, `select concat_ws('|', ${at('day')}, end_user, status_class, requests, cost_micros, input_tokens, output_tokens) as line from usage_daily_end_users`)).toEqual(
    want.dailyEndUsers.map((row) => line(iso(row.day), row.endUser, row.statusClass, row.requests, row.costMicros, row.inputTokens, row.outputTokens)).sort(),
  );
  // The records span several UTC days and both kinds of totals rows.
  expect(new Set(want.daily.map((row) => iso(row.hour))).size).toBeGreaterThan(2);
  expect(new Set(want.totals.map((row) => row.endUserNamed)).size).toBe(2);
}

// concat_ws prints a boolean as 't' or 'f'.
describe('migrations 0013-0014 (rollup tiers) on embedded PGlite', () => {
  it('fill the daily, totals and per-end-user-day tiers from the hourly rollups exactly', async () => {
    const client = new PGlite();
    const db = drizzlePglite(client) as unknown as Database;
    try {
      await migratePglite(db as never, { migrationsFolder: migrationsUpTo('0012_key_providers') });
      const rows = records();
      await seedHourly(db, rows);
      await migratePglite(db as never, { migrationsFolder });
      await expectFilled(db, rows);
    } finally {
      await client.close();
    }
  });
});

requirePostgresInCi();

describe.skipIf(!testDatabaseUrl)('migrations 0013-0014 (rollup tiers) on PostgreSQL', () => {
  it('fill the daily, totals and per-end-user-day tiers from the hourly rollups exactly', async () => {
    const scratch = await createScratchDatabase();
    const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const db = drizzlePostgres(client) as unknown as Database;
    try {
      await migratePostgres(db as never, { migrationsFolder: migrationsUpTo('0012_key_providers') });
      const rows = records();
      await seedHourly(db, rows);
      await migratePostgres(db as never, { migrationsFolder });
      await expectFilled(db, rows);
    } finally {
      await client.end({ timeout: 5 });
      await scratch.drop();
    }
  });
});
