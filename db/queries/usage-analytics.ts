import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { ResolvedFilters, UsageGroup } from '@/lib/usage/filters';
import { HISTOGRAM_COLUMNS } from '@/lib/usage/rollups/histogram';
import { planTiers, type TierPart } from '@/lib/usage/tiers';
import type { Database } from '../open';

/**
 * The usage page's queries. They read the rollups only (db/schema/usage-rollups.ts), never
 * usage_records, so 30 days cost the same whatever the traffic: whole days from the daily tier,
 * the rest from the hourly one (lib/usage/tiers.ts). Figures come back as float8 (exact
 * below 2^53) because sums of bigint are numeric, which the two drivers return as strings.
 */

/** How many groups a stacked chart shows by name; the rest are summed into "Other". */
export const TOP_GROUPS = 8;
/** Only ever in memory: NUL cannot occur in a stored value (nor be sent to PostgreSQL). */
export const OTHER_GROUP = '\u0000other';

const GROUP_COLUMN: Record<Exclude<UsageGroup, 'none'>, string> = {
  key: 'key_id',
  link: 'link_id',
  model: 'model',
  end_user: 'end_user',
  status: 'status_class',
};

/** End users live in their own table (they can be many): read it only when they matter. */
const forEndUsers = (f: ResolvedFilters) => f.endUser !== undefined || f.group === 'end_user';

/** The filters other than time: the same columns in every rollup table. */
function dimensionFilters(userId: string, f: ResolvedFilters): SQL {
  const parts: SQL[] = [sql`x.user_id = ${userId}`];
  if (f.keyId !== undefined) parts.push(sql`x.key_id = ${f.keyId}`);
  if (f.linkId !== undefined) parts.push(sql`x.link_id = ${f.linkId}`);
  if (f.model !== undefined) parts.push(sql`x.model = ${f.model}`);
  if (f.endUser !== undefined) parts.push(sql`x.end_user = ${f.endUser}`);
  if (f.statusClass !== undefined) parts.push(sql`x.status_class = ${f.statusClass}`);
  return sql.join(parts, sql` and `);
}

/** A PostgreSQL array literal, every element quoted (an empty label is ""): ISO instants, bucket labels and signs hold no quotes or backslashes. */
const arrayLiteral = (values: readonly (string | number)[]) => `{${values.map((value) => `"${value}"`).join(',')}}`;

const COLUMNS = sql.raw(['key_id', 'link_id', 'model', 'status_class', 'requests', 'cost_micros', 'input_tokens', 'output_tokens', ...HISTOGRAM_COLUMNS].map((c) => `x.${c}`).join(', '));

/**
 * The rollup rows that answer `f`, each with the bucket it counts towards and a sign (tiers.ts):
 * whole UTC days from usage_daily, the rest from usage_hourly (or, for end users, every hour from
 * usage_hourly_end_users). Sums over it must multiply every measure by `sign`.
 */
function rollupRows(userId: string, f: ResolvedFilters, { buckets = true }: { buckets?: boolean } = {}): SQL {
  const endUsers = forEndUsers(f);
  const plan = planTiers(f, { buckets, daily: !endUsers });
  const filters = dimensionFilters(userId, f);
  const columns = endUsers ? sql`${COLUMNS}, x.end_user` : COLUMNS;
  const part = (table: string, period: string, parts: TierPart[]) => {
    const at = arrayLiteral(parts.map((p) => p.at.toISOString()));
    const [tableName, periodColumn] = [sql.raw(table), sql.raw(`x.${period}`)];
    // A run of consecutive periods is one index range; scattered ones (a range's edges, the hours
    // moved between local days) are looked up one by one.
    const step = period === 'day' ? 24 * 3_600_000 : 3_600_000;
    const consecutive = parts.every((p, i) => i === 0 || p.at.getTime() - parts[i - 1]!.at.getTime() === step);
    const periods = consecutive
      ? sql`${periodColumn} >= ${parts[0]!.at.toISOString()}::timestamptz and ${periodColumn} <= ${parts.at(-1)!.at.toISOString()}::timestamptz`
      : sql`${periodColumn} = any(${at}::timestamptz[])`;
    return sql`
      select p.bucket, p.sign, ${columns}
      from ${tableName} x join unnest(${at}::timestamptz[], ${arrayLiteral(parts.map((p) => p.bucket))}::text[], ${arrayLiteral(parts.map((p) => p.sign))}::int[]) as p(at, bucket, sign)
        on ${periodColumn} = p.at
      where ${filters} and ${periods}`;
  };
  const hourly = endUsers ? 'usage_hourly_end_users' : 'usage_hourly';
  const parts: SQL[] = [];
  if (plan.days.length > 0) parts.push(part('usage_daily', 'day', plan.days));
  if (plan.hours.length > 0) parts.push(part(hourly, 'hour', plan.hours));
  // An empty range (a custom range in the future): no rows, same columns.
  if (parts.length === 0) return sql`select ''::text as bucket, 0 as sign, ${columns} from ${sql.raw(hourly)} x where false`;
  return sql.join(parts, sql` union all `);
}

const histogramSums = sql.raw(HISTOGRAM_COLUMNS.map((name) => `sum(sign * ${name}::float8)`).join(', '));

export interface SeriesRow {
  bucket: string;
  group: string;
  statusClass: number;
  requests: number;
  costMicros: number;
  inputTokens: number;
  outputTokens: number;
}

/** postgres.js returns an array of rows, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** The groups with the most spend (then requests) in the range, best first. */
export async function topGroups(db: Database, userId: string, f: ResolvedFilters, limit = TOP_GROUPS): Promise<string[]> {
  if (f.group === 'none' || f.group === 'status') return [];
  const column = sql.raw(GROUP_COLUMN[f.group]);
  const result = await db.execute(sql`
    select ${column}::text as g from (${rollupRows(userId, f, { buckets: false })}) r
    group by 1 having sum(sign * requests) <> 0
    order by sum(sign * cost_micros) desc, sum(sign * requests) desc, 1 limit ${limit}`);
  return rowsOf<{ g: string }>(result).map((row) => row.g);
}

/**
 * Requests, spend and tokens per time bucket × group × status class. With `top`, groups beyond it
 * are folded into OTHER_GROUP in SQL (end users: there can be thousands); without, every group
 * comes back (keys, links, models: a handful) and the caller folds.
 */
export async function usageSeries(db: Database, userId: string, f: ResolvedFilters, top?: readonly string[]): Promise<SeriesRow[]> {
  let group: SQL = sql`''`;
  if (f.group === 'status') group = sql`status_class::text`;
  else if (f.group !== 'none') {
    const column = sql.raw(GROUP_COLUMN[f.group]);
    // NULL stands for "Other" ('' is a real value: no key, no model…).
    if (!top) group = column;
    else group = top.length > 0 ? sql`case when ${column} in (${sql.join(top.map((g) => sql`${g}`), sql`, `)}) then ${column} end` : sql`null::text`;
  }
  const result = await db.execute(sql`
    select bucket, ${group} as grp, status_class::int as sc, sum(sign * requests::float8) as requests, sum(sign * cost_micros::float8) as cost,
      sum(sign * input_tokens::float8) as tin, sum(sign * output_tokens::float8) as tout
    from (${rollupRows(userId, f)}) r
    group by 1, 2, 3 having sum(sign * requests) <> 0 order by 1`);
  type Raw = { bucket: string; grp: string | null; sc: number; requests: number; cost: number; tin: number; tout: number };
  return rowsOf<Raw>(result).map((row) => ({
    bucket: row.bucket,
    group: row.grp ?? OTHER_GROUP,
    statusClass: Number(row.sc),
    requests: Number(row.requests),
    costMicros: Number(row.cost),
    inputTokens: Number(row.tin),
    outputTokens: Number(row.tout),
  }));
}

/**
 * The merged latency histogram per bucket. A query of its own, run beside usageSeries: summing the
 * histograms is the costliest part, and the two then share the machine's cores.
 */
export async function latencySeries(db: Database, userId: string, f: ResolvedFilters): Promise<Map<string, number[]>> {
  const result = await db.execute(sql`
    select bucket, array[${histogramSums}] as hist
    from (${rollupRows(userId, f)}) r
    group by 1 having sum(sign * requests) <> 0`);
  return new Map(rowsOf<{ bucket: string; hist: (number | string)[] }>(result).map((row) => [row.bucket, row.hist.map(Number)]));
}

/** The models used in the range (for the filter's choices). */
export async function usedModels(db: Database, userId: string, f: ResolvedFilters): Promise<string[]> {
  const range = { ...f, keyId: undefined, linkId: undefined, model: undefined, endUser: undefined, statusClass: undefined, group: 'none' as const };
  const result = await db.execute(sql`select distinct model from (${rollupRows(userId, range, { buckets: false })}) r where model <> '' order by 1`);
  return rowsOf<{ model: string }>(result).map((row) => row.model);
}

/** Names of the account's keys and links (deleted ones too: their history stays). */
export async function dimensionNames(db: Database, userId: string): Promise<{ keys: Map<string, string>; links: Map<string, string> }> {
  const result = await db.execute(sql`
    select 'key' as kind, id, name from api_keys where user_id = ${userId}
    union all select 'link', id, name from links where user_id = ${userId}`);
  const keys = new Map<string, string>();
  const links = new Map<string, string>();
  for (const row of rowsOf<{ kind: string; id: string; name: string }>(result)) (row.kind === 'key' ? keys : links).set(row.id, row.name);
  return { keys, links };
}

/** Requests through a link in the current UTC month (its monthly cap's window), from the rollups. */
export async function linkMonthRequests(db: Database, userId: string, linkId: string, now = new Date()): Promise<number> {
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const result = await db.execute(sql`
    select coalesce(sum(requests), 0)::float8 as n from usage_hourly
    where user_id = ${userId} and link_id = ${linkId} and hour >= ${monthStart.toISOString()}::timestamptz`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}
