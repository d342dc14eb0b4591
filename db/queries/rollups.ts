import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { RollupRow, Rollups } from '@/lib/usage/rollups/aggregate';
import { HISTOGRAM_COLUMNS } from '@/lib/usage/rollups/histogram';
import { usageDaily, usageDailyEndUsers, usageHourly, usageHourlyEndUsers, usageHourlyTotals } from '../schema';
import type { Executor } from './usage';

/** Rows per INSERT: 40 columns × 1 000 stays below PostgreSQL's 65 535 parameters. */
const CHUNK = 1_000;

const increment = (table: string, column: string): SQL => sql.raw(`"${table}"."${column}" + excluded."${column}"`);

/** ON CONFLICT's SET: each measure (property → column) plus what the new row brings. */
const increments = (table: string, columns: Record<string, string>) =>
  Object.fromEntries(Object.entries(columns).map(([property, column]) => [property, increment(table, column)]));

const COUNTS = { requests: 'requests', costMicros: 'cost_micros', inputTokens: 'input_tokens', outputTokens: 'output_tokens' };
const MEASURES = {
  ...COUNTS,
  cachedInputTokens: 'cached_input_tokens',
  requestBytes: 'request_bytes',
  responseBytes: 'response_bytes',
  latencyMsSum: 'latency_ms_sum',
  ...Object.fromEntries(HISTOGRAM_COLUMNS.map((name) => [name, name])),
};
const measures = (table: string) => increments(table, MEASURES);

/** Runs `write` on the rows CHUNK at a time, in order. */
async function inChunks<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

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
  // The main table has no end_user column: it counts every record once.
  await inChunks(rollups.main, (chunk) => {
    const t = usageHourly;
    const rows = chunk.map((row) => (({ endUser, ...rest }) => (void endUser, rest))(rollupColumns(row)));
    return tx.insert(t).values(rows).onConflictDoUpdate({ target: [t.userId, t.hour, t.keyId, t.linkId, t.model, t.statusClass], set: measures('usage_hourly') });
  });
  await inChunks(rollups.endUsers, (chunk) => {
    const t = usageHourlyEndUsers;
    return tx
      .insert(t)
      .values(chunk.map(rollupColumns))
      .onConflictDoUpdate({ target: [t.userId, t.hour, t.keyId, t.linkId, t.model, t.statusClass, t.endUser], set: measures('usage_hourly_end_users') });
  });
  await inChunks(rollups.daily, (chunk) => {
    const t = usageDaily;
    const rows = chunk.map((row) => (({ endUser, hour, ...rest }) => (void endUser, { ...rest, day: hour }))(rollupColumns(row)));
    return tx.insert(t).values(rows).onConflictDoUpdate({ target: [t.userId, t.day, t.keyId, t.linkId, t.model, t.statusClass], set: measures('usage_daily') });
  });
  await inChunks(rollups.totals, (chunk) => {
    const t = usageHourlyTotals;
    const rows = chunk.map((row) => (({ endUser, keyId, linkId, model, ...rest }) => (void [endUser, keyId, linkId, model], { ...rest, endUserNamed: row.endUserNamed }))(rollupColumns(row)));
    return tx.insert(t).values(rows).onConflictDoUpdate({ target: [t.userId, t.hour, t.statusClass, t.endUserNamed], set: measures('usage_hourly_totals') });
  });
  await inChunks(rollups.dailyEndUsers, (chunk) => {
    const t = usageDailyEndUsers;
    return tx.insert(t).values(chunk).onConflictDoUpdate({ target: [t.userId, t.day, t.endUser, t.statusClass], set: increments('usage_daily_end_users', COUNTS) });
  });
}
