import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../open';
import { rowsOf } from './usage-analytics';

/**
 * What the spend limits are rebuilt from when Redis lost their counters (lib/limits/
 * spend-counters.ts): each key's settled cost in three windows, from the hourly rollups — the
 * windows are whole UTC hours (days, ISO weeks, months), so summing hours is exact. One query,
 * one index range (usage_hourly_key_idx) per key, however much the key was used.
 */

export interface Window {
  start: Date;
  /** Exclusive. */
  end: Date;
}
export interface SpendWindows {
  day: Window;
  week: Window;
  month: Window;
}
export type SpendSums = Record<keyof SpendWindows, number>;

const iso = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const inWindow = (window: Window) => sql`hour >= ${iso(window.start)} and hour < ${iso(window.end)}`;

/** Keys without any usage in the windows are absent from the map (their sums are 0). */
export async function settledSpendByKey(db: Database, keyIds: readonly string[], windows: SpendWindows): Promise<Map<string, SpendSums>> {
  if (keyIds.length === 0) return new Map();
  const { day, week, month } = windows;
  const from = week.start < month.start ? week.start : month.start;
  const to = week.end > month.end ? week.end : month.end;
  const result = await db.execute(sql`
    select key_id as id,
      coalesce(sum(cost_micros) filter (where ${inWindow(day)}), 0)::float8 as day,
      coalesce(sum(cost_micros) filter (where ${inWindow(week)}), 0)::float8 as week,
      coalesce(sum(cost_micros) filter (where ${inWindow(month)}), 0)::float8 as month
    from usage_hourly
    where key_id in (${sql.join(keyIds.map((id) => sql`${id}`), sql`, `)}) and hour >= ${iso(from)} and hour < ${iso(to)}
    group by key_id`);
  return new Map(
    rowsOf<{ id: string; day: number; week: number; month: number }>(result).map((row) => [
      row.id,
      { day: Number(row.day), week: Number(row.week), month: Number(row.month) },
    ]),
  );
}
