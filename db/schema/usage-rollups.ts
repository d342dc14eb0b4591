import { bigint, boolean, index, integer, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { HISTOGRAM_COLUMNS, type HistogramColumn } from '../../lib/usage/rollups/histogram';
import { organizations } from './organizations';

const count = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);

/** The measures both rollup tables add up; drizzle column builders are single-use, hence a function. */
const measures = () => ({
  requests: count('requests'),
  costMicros: count('cost_micros'),
  inputTokens: count('input_tokens'),
  cachedInputTokens: count('cached_input_tokens'),
  outputTokens: count('output_tokens'),
  requestBytes: count('request_bytes'),
  responseBytes: count('response_bytes'),
  latencyMsSum: count('latency_ms_sum'),
  ...histogram(),
});

/** h0 … h24: requests per latency bucket (lib/usage/rollups/histogram.ts). */
function histogram(): Record<HistogramColumn, ReturnType<typeof bucketColumn>> {
  return Object.fromEntries(HISTOGRAM_COLUMNS.map((name) => [name, bucketColumn(name)])) as Record<HistogramColumn, ReturnType<typeof bucketColumn>>;
}
const bucketColumn = (name: string) => integer(name).notNull().default(0);

/** `period`: the column naming the row's UTC hour (hourly tier) or UTC day (daily tier). */
const periodColumn = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }).notNull();

const dimensions = <P extends 'hour' | 'day'>(period: P) => ({
  userId: text('user_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  ...({ [period]: periodColumn(period) } as Record<P, ReturnType<typeof periodColumn>>),
  keyId: text('key_id').notNull().default(''),
  linkId: text('link_id').notNull().default(''),
  model: text('model').notNull().default(''),
  /** 2, 3, 4 or 5: the status' hundreds (1xx never reaches a client as a final status). */
  statusClass: smallint('status_class').notNull(),
});

/**
 * Hourly aggregates of usage_records, maintained by the drain in the same transaction as the rows
 * it really inserted (lib/usage/rollups/apply.ts): the usage page and the alerts read these, never
 * the raw rows, and they outlive the raw rows' retention (USAGE_RETENTION_DAYS).
 *
 * One row per account, UTC hour and combination of key, link, model and status class. A dimension
 * the record did not have is '' rather than NULL, so it can be part of the primary key that
 * ON CONFLICT … DO UPDATE increments. Records without an account (unknown keys) are not rolled up:
 * nobody can see them.
 *
 * Latency percentiles need data that merges: h0 … h24 count requests per fixed latency bucket
 * (LATENCY_BUCKETS_MS in lib/usage/rollups/histogram.ts); the histograms of any set of rows add
 * up column by column, and p50 / p95 are read from the sum.
 */
export const usageHourly = pgTable(
  'usage_hourly',
  { ...dimensions('hour'), ...measures() },
  (row) => [
    primaryKey({ name: 'usage_hourly_pkey', columns: [row.userId, row.hour, row.keyId, row.linkId, row.model, row.statusClass] }),
    // The per-key and per-link pages, and the alerts' spend per key.
    index('usage_hourly_key_idx').on(row.keyId, row.hour),
    index('usage_hourly_link_idx').on(row.linkId, row.hour),
  ],
);

/**
 * The same, per end user too, for records that name one. Apart from usage_hourly because end
 * users can be many: folding them into the main table would multiply its rows (and the time of
 * every unfiltered 30-day query) by their number. Read only when the page filters or groups by
 * end user.
 */
export const usageHourlyEndUsers = pgTable(
  'usage_hourly_end_users',
  { ...dimensions('hour'), endUser: text('end_user').notNull(), ...measures() },
  (row) => [
    primaryKey({
      name: 'usage_hourly_end_users_pkey',
      columns: [row.userId, row.hour, row.keyId, row.linkId, row.model, row.statusClass, row.endUser],
    }),
    // One end user's usage (the page filtered by end user) without reading everyone's hours.
    index('usage_hourly_end_users_end_user_idx').on(row.userId, row.endUser, row.hour),
  ],
);

/**
 * usage_hourly summed per UTC day: the same dimensions and measures, 24 times fewer rows (or
 * more: a combination seen in several hours of a day is one row). Ranges of days read whole days
 * here and only their edges — and, for a viewer whose days are not UTC days, the hours a UTC day
 * shares with the neighbouring local day — from usage_hourly (lib/usage/tiers.ts). Maintained
 * by the drain in the same transaction as usage_hourly, from the same rows.
 */
export const usageDaily = pgTable(
  'usage_daily',
  { ...dimensions('day'), ...measures() },
  (row) => [primaryKey({ name: 'usage_daily_pkey', columns: [row.userId, row.day, row.keyId, row.linkId, row.model, row.statusClass] })],
);

/**
 * Per account, UTC hour and status class only — whether the records named an end user kept apart —
 * for the views that filter and group by none of key, link and model: ~8 rows an hour whatever the
 * traffic, where usage_hourly holds one per combination. The unfiltered page, its hourly buckets,
 * the latency chart of any view without such a filter, and the end-user views' totals read this.
 */
export const usageHourlyTotals = pgTable(
  'usage_hourly_totals',
  {
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    hour: periodColumn('hour'),
    statusClass: smallint('status_class').notNull(),
    /** The records named an end user (the end-user views count only those). */
    endUserNamed: boolean('end_user_named').notNull(),
    ...measures(),
  },
  (row) => [primaryKey({ name: 'usage_hourly_totals_pkey', columns: [row.userId, row.hour, row.statusClass, row.endUserNamed] })],
);

/**
 * Requests, spend and tokens per account, UTC day, end user and status class: enough to rank end
 * users over a range and draw the top ones' series from one row per end user, day and status
 * instead of their hourly rows per key, link, model and status (usage_hourly_end_users). No
 * latency histogram: the end-user views' latency chart reads usage_hourly_totals.
 */
export const usageDailyEndUsers = pgTable(
  'usage_daily_end_users',
  {
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    day: periodColumn('day'),
    endUser: text('end_user').notNull(),
    statusClass: smallint('status_class').notNull(),
    requests: count('requests'),
    costMicros: count('cost_micros'),
    inputTokens: count('input_tokens'),
    outputTokens: count('output_tokens'),
  },
  (row) => [primaryKey({ name: 'usage_daily_end_users_pkey', columns: [row.userId, row.day, row.endUser, row.statusClass] })],
);

export type UsageHourlyRow = typeof usageHourly.$inferSelect;
