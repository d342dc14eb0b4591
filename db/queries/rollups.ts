import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { RollupRow, Rollups } from '@/lib/usage/rollups/aggregate';
import { HISTOGRAM_COLUMNS } from '@/lib/usage/rollups/histogram';
import { usageDaily, usageDailyEndUsers, usageHourly, usageHourlyEndUsers, usageHourlyTotals } from '../schema';
import type { Executor } from './usage';

/** Rows per INSERT: 40 columns × 1 000 stays below PostgreSQL's 65 535 parameters. */
const CHUNK = 1_000;

const increment = (table: string, column: string): SQL => sql.raw(`"${table}"."${column}" + excluded."${column}"`);

const measures = (table: string) => ({
  requests: increment(table, 'requests'),
  costMicros: increment(table, 'cost_micros'),
  inputTokens: increment(table, 'input_tokens'),
  cachedInputTokens: increment(table, 'cached_input_tokens'),
  outputTokens: increment(table, 'output_tokens'),
  requestBytes: increment(table, 'request_bytes'),
  responseBytes: increment(table, 'response_bytes'),
  latencyMsSum: increment(table, 'latency_ms_sum'),
  ...Object.fromEntries(HISTOGRAM_COLUMNS.map((name) => [name, increment(table, name)])),
});

/** A rollup row as columns: the histogram array spread over h0 … h24. */
export function rollupColumns({ latencyHist, ...row }: RollupRow) {
  return { ...row, ...Object.fromEntries(HISTOGRAM_COLUMNS.map((name, i) => [name, latencyHist[i] ?? 0])) };
}

/**
 * Adds the rows into the rollups (INSERT … ON CONFLICT DO UPDATE with increments), inside the
 * drain's transaction: the rollups commit or roll back with the raw rows they summarise.
 * The rows come sorted and unique per key from aggregateRollups.
 */
export async function upsertRollups(tx: Executor, rollups: Rollups): Promise<void> {
  for (let i = 0; i < rollups.main.length; i += CHUNK) {
    // The main table has no end_user column: it counts every record once.
    const rows = rollups.main.slice(i, i + CHUNK).map((row) => {
      const { endUser, ...rest } = rollupColumns(row);
      void endUser;
      return rest;
    });
    await tx
      .insert(usageHourly)
      .values(rows)
      .onConflictDoUpdate({
        target: [usageHourly.userId, usageHourly.hour, usageHourly.keyId, usageHourly.linkId, usageHourly.model, usageHourly.statusClass],
        set: measures('usage_hourly'),
      });
  }
  for (let i = 0; i < rollups.endUsers.length; i += CHUNK) {
    const t = usageHourlyEndUsers;
    await tx
      .insert(t)
      .values(rollups.endUsers.slice(i, i + CHUNK).map(rollupColumns))
      .onConflictDoUpdate({
        target: [t.userId, t.hour, t.keyId, t.linkId, t.model, t.statusClass, t.endUser],
        set: measures('usage_hourly_end_users'),
      });
  }
  for (let i = 0; i < rollups.daily.length; i += CHUNK) {
    const rows = rollups.daily.slice(i, i + CHUNK).map((row) => {
      const { endUser, hour, ...rest } = rollupColumns(row);
      void endUser;
      return { ...rest, day: hour };
    });
    await tx
      .insert(usageDaily)
      .values(rows)
      .onConflictDoUpdate({
        target: [usageDaily.userId, usageDaily.day, usageDaily.keyId, usageDaily.linkId, usageDaily.model, usageDaily.statusClass],
        set: measures('usage_daily'),
      });
  }
  for (let i = 0; i < rollups.totals.length; i += CHUNK) {
    const rows = rollups.totals.slice(i, i + CHUNK).map((row) => {
      const { endUser, keyId, linkId, model, ...rest } = rollupColumns(row);
      void [endUser, keyId, linkId, model];
      return { ...rest, endUserNamed: row.endUserNamed };
    });
    const t = usageHourlyTotals;
    await tx
      .insert(t)
      .values(rows)
      .onConflictDoUpdate({ target: [t.userId, t.hour, t.statusClass, t.endUserNamed], set: measures('usage_hourly_totals') });
  }
  for (let i = 0; i < rollups.dailyEndUsers.length; i += CHUNK) {
    const t = usageDailyEndUsers;
    await tx
      .insert(t)
      .values(rollups.dailyEndUsers.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [t.userId, t.day, t.endUser, t.statusClass],
        set: {
          requests: increment('usage_daily_end_users', 'requests'),
          costMicros: increment('usage_daily_end_users', 'cost_micros'),
          inputTokens: increment('usage_daily_end_users', 'input_tokens'),
          outputTokens: increment('usage_daily_end_users', 'output_tokens'),
        },
      });
  }
}
