import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { RollupRow } from '@/lib/usage/rollups/aggregate';
import { usageHourly, usageHourlyEndUsers } from '../schema';
import type { Executor } from './usage';

/** Rows per INSERT: 16 columns × 2 000 stays far below PostgreSQL's 65 535 parameters. */
const CHUNK = 2_000;

const increment = (table: string, column: string): SQL => sql.raw(`"${table}"."${column}" + excluded."${column}"`);

/** Histograms add element by element; the longer one wins the length (bounds are only appended). */
const mergeHist = (table: string): SQL =>
  sql.raw(
    `array(select coalesce(a, 0) + coalesce(b, 0) from unnest("${table}"."latency_hist", excluded."latency_hist") with ordinality as h(a, b, i) order by i)`,
  );

const measures = (table: string) => ({
  requests: increment(table, 'requests'),
  costMicros: increment(table, 'cost_micros'),
  inputTokens: increment(table, 'input_tokens'),
  cachedInputTokens: increment(table, 'cached_input_tokens'),
  outputTokens: increment(table, 'output_tokens'),
  requestBytes: increment(table, 'request_bytes'),
  responseBytes: increment(table, 'response_bytes'),
  latencyMsSum: increment(table, 'latency_ms_sum'),
  latencyHist: mergeHist(table),
});

/**
 * Adds the rows into the rollups (INSERT … ON CONFLICT DO UPDATE with increments), inside the
 * drain's transaction: the rollups commit or roll back with the raw rows they summarise.
 * The rows come sorted and unique per key from aggregateRollups.
 */
export async function upsertRollups(tx: Executor, rollups: { main: RollupRow[]; endUsers: RollupRow[] }): Promise<void> {
  for (let i = 0; i < rollups.main.length; i += CHUNK) {
    // The main table has no end_user column: it counts every record once.
    const rows = rollups.main.slice(i, i + CHUNK).map(({ endUser, ...row }) => (void endUser, row));
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
      .values(rollups.endUsers.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [t.userId, t.hour, t.keyId, t.linkId, t.model, t.statusClass, t.endUser],
        set: measures('usage_hourly_end_users'),
      });
  }
}
