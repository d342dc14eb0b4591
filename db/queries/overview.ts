import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../open';
import type { SpendWindows } from './spend-windows';
import { rowsOf } from './usage-analytics';

/**
 * The overview page's queries. Like the usage page they read the hourly rollups, never
 * usage_records: the figures are those of the usage page and of the spending limits (whole UTC
 * hours summed into UTC days, ISO weeks and months).
 */

const iso = (date: Date) => sql`${date.toISOString()}::timestamptz`;

export interface Activity {
  /** Settled spend (micros) in the current day, week and month. */
  spend: Record<keyof SpendWindows, number>;
  /** Requests and failed requests (4xx and 5xx) since `since`. */
  requests: number;
  errors: number;
}

/** Spend per window and traffic since `since`, in one pass over the account's rollup rows. */
export async function accountActivity(db: Database, accountId: string, windows: SpendWindows, since: Date): Promise<Activity> {
  const from = [windows.week.start, windows.month.start, since].reduce((a, b) => (a < b ? a : b));
  const result = await db.execute(sql`
    select
      coalesce(sum(cost_micros) filter (where hour >= ${iso(windows.day.start)}), 0)::float8 as day,
      coalesce(sum(cost_micros) filter (where hour >= ${iso(windows.week.start)}), 0)::float8 as week,
      coalesce(sum(cost_micros) filter (where hour >= ${iso(windows.month.start)}), 0)::float8 as month,
      coalesce(sum(requests) filter (where hour >= ${iso(since)}), 0)::float8 as requests,
      coalesce(sum(requests) filter (where hour >= ${iso(since)} and status_class >= 4), 0)::float8 as errors
    from usage_hourly
    where user_id = ${accountId} and hour >= ${iso(from)}`);
  const row = rowsOf<{ day: number; week: number; month: number; requests: number; errors: number }>(result)[0];
  return {
    spend: { day: Number(row?.day ?? 0), week: Number(row?.week ?? 0), month: Number(row?.month ?? 0) },
    requests: Number(row?.requests ?? 0),
    errors: Number(row?.errors ?? 0),
  };
}

export interface TopItem {
  id: string;
  name: string;
  costMicros: number;
  requests: number;
}

/**
 * The keys or links that spent the most since `since` (then the busiest), with their names;
 * deleted ones included, as their spend still counts.
 */
export async function topSpenders(db: Database, accountId: string, kind: 'key' | 'link', since: Date, limit = 5): Promise<TopItem[]> {
  const column = sql.raw(kind === 'key' ? 'key_id' : 'link_id');
  const table = sql.raw(kind === 'key' ? 'api_keys' : 'links');
  const result = await db.execute(sql`
    select u.id, t.name, u.cost, u.requests from (
      select ${column} as id, sum(cost_micros)::float8 as cost, sum(requests)::float8 as requests
      from usage_hourly
      where user_id = ${accountId} and hour >= ${iso(since)} and ${column} <> ''
      group by 1
    ) u join ${table} t on t.id = u.id and t.user_id = ${accountId}
    order by u.cost desc, u.requests desc, t.name
    limit ${limit}`);
  return rowsOf<{ id: string; name: string; cost: number; requests: number }>(result).map((row) => ({
    id: row.id,
    name: row.name,
    costMicros: Number(row.cost),
    requests: Number(row.requests),
  }));
}

export interface GettingStarted {
  createdKey: boolean;
  madeRequest: boolean;
  setLimit: boolean;
  addedCredit: boolean;
}

/**
 * The getting-started checklist, read from what the account has done — so it ticks itself: a
 * key made (even if since deleted), a request through a key, a spending or rate limit on a live
 * key, credit bought (the trial grant does not count).
 */
export async function gettingStarted(db: Database, accountId: string): Promise<GettingStarted> {
  const result = await db.execute(sql`
    select
      exists (select 1 from api_keys where user_id = ${accountId}) as created_key,
      exists (select 1 from usage_hourly where user_id = ${accountId} and key_id <> '') as made_request,
      exists (
        select 1 from api_keys where user_id = ${accountId} and deleted_at is null
          and (spend_limit_day is not null or spend_limit_week is not null or spend_limit_month is not null
            or rate_limit_per_minute is not null or rate_limit_per_hour is not null or rate_limit_per_day is not null)
      ) as set_limit,
      exists (select 1 from credit_ledger where user_id = ${accountId} and kind in ('purchase', 'auto_top_up')) as added_credit`);
  const row = rowsOf<{ created_key: boolean; made_request: boolean; set_limit: boolean; added_credit: boolean }>(result)[0];
  return {
    createdKey: Boolean(row?.created_key),
    madeRequest: Boolean(row?.made_request),
    setLimit: Boolean(row?.set_limit),
    addedCredit: Boolean(row?.added_credit),
  };
}
