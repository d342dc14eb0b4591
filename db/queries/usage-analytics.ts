import 'server-only';
import { sql, type SQL } from 'drizzle-orm';
import type { ResolvedFilters, UsageGroup } from '@/lib/usage/filters';
import { HISTOGRAM_COLUMNS } from '@/lib/usage/rollups/histogram';
import { planTiers, type TierPart } from '@/lib/usage/tiers';
import type { Database } from '../open';

/**
 * The usage page's queries. They read the rollups only (db/schema/usage-rollups.ts), never
 * usage_records, so 30 days cost the same whatever the traffic, and each the coarsest tier that
 * answers it (Tier, below). Figures come back as float8 (exact
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

/**
 * The rollup tables, coarsest first (db/schema/usage-rollups.ts). Each question reads the coarsest
 * that holds the columns it filters and groups by:
 * - totals: usage_hourly_totals, per hour and status class (records naming an end user apart);
 * - main: usage_daily for whole UTC days + usage_hourly for the rest (lib/usage/tiers.ts);
 * - endUserDays: usage_daily_end_users + usage_hourly_end_users at the edges (end users ranked, and
 *   the top ones' series);
 * - endUsers: usage_hourly_end_users, every hour.
 */
type Tier = 'totals' | 'main' | 'endUserDays' | 'endUsers';

const TABLES: Record<Tier, { daily?: string; hourly: string }> = {
  totals: { hourly: 'usage_hourly_totals' },
  main: { daily: 'usage_daily', hourly: 'usage_hourly' },
  endUserDays: { daily: 'usage_daily_end_users', hourly: 'usage_hourly_end_users' },
  endUsers: { hourly: 'usage_hourly_end_users' },
};

/** A filter on key, link or model: only the tables with those columns answer. */
const narrowed = (f: ResolvedFilters) => f.keyId !== undefined || f.linkId !== undefined || f.model !== undefined;
/** The end-user views count only the records that named an end user. */
const endUserView = (f: ResolvedFilters) => f.endUser !== undefined || f.group === 'end_user';

/** The filters other than time, on the columns `tier` has. */
function dimensionFilters(userId: string, f: ResolvedFilters, tier: Tier): SQL {
  const parts: SQL[] = [sql`x.user_id = ${userId}`];
  if (tier === 'totals') {
    if (endUserView(f)) parts.push(sql`x.end_user_named`);
  } else if (tier !== 'endUserDays') {
    if (f.keyId !== undefined) parts.push(sql`x.key_id = ${f.keyId}`);
    if (f.linkId !== undefined) parts.push(sql`x.link_id = ${f.linkId}`);
    if (f.model !== undefined) parts.push(sql`x.model = ${f.model}`);
  }
  if (f.endUser !== undefined && (tier === 'endUsers' || tier === 'endUserDays')) parts.push(sql`x.end_user = ${f.endUser}`);
  if (f.statusClass !== undefined) parts.push(sql`x.status_class = ${f.statusClass}`);
  return sql.join(parts, sql` and `);
}

/** A PostgreSQL array literal, every element quoted (an empty label is ""): ISO instants, bucket labels and signs hold no quotes or backslashes. */
const arrayLiteral = (values: readonly (string | number)[]) => `{${values.map((value) => `"${value}"`).join(',')}}`;

/** Rows of one table for some of the plan's periods, each with the bucket it counts towards and its sign. */
function periodRows(table: string, period: 'hour' | 'day', parts: TierPart[], where: SQL, select: SQL): SQL {
  const at = arrayLiteral(parts.map((p) => p.at.toISOString()));
  const column = sql.raw(`x.${period}`);
  // A run of consecutive periods is one index range; scattered ones (a range's edges, the hours
  // moved between local days) are looked up one by one.
  const step = period === 'day' ? 24 * 3_600_000 : 3_600_000;
  const consecutive = parts.every((p, i) => i === 0 || p.at.getTime() - parts[i - 1]!.at.getTime() === step);
  const periods = consecutive
    ? sql`${column} >= ${parts[0]!.at.toISOString()}::timestamptz and ${column} <= ${parts.at(-1)!.at.toISOString()}::timestamptz`
    : sql`${column} = any(${at}::timestamptz[])`;
  return sql`
    select p.bucket, p.sign, ${select}
    from ${sql.raw(table)} x join unnest(${at}::timestamptz[], ${arrayLiteral(parts.map((p) => p.bucket))}::text[], ${arrayLiteral(parts.map((p) => p.sign))}::int[]) as p(at, bucket, sign)
      on ${column} = p.at
    where ${where} and ${periods}`;
}

/**
 * The rows of `tier` that answer `f`: `bucket`, `sign` and the `select`ed columns (which both of the
 * tier's tables must have). Sums over them multiply every measure by `sign` (tiers.ts).
 * `buckets: false` for questions about the range as a whole.
 */
function rollupRows(userId: string, f: ResolvedFilters, tier: Tier, select: SQL, { buckets = true, where }: { buckets?: boolean; where?: SQL } = {}): SQL {
  const { daily, hourly } = TABLES[tier];
  const plan = planTiers(f, { buckets, daily: daily !== undefined });
  const filters = where ? sql`${dimensionFilters(userId, f, tier)} and ${where}` : dimensionFilters(userId, f, tier);
  const parts: SQL[] = [];
  if (daily && plan.days.length > 0) parts.push(periodRows(daily, 'day', plan.days, filters, select));
  if (plan.hours.length > 0) parts.push(periodRows(hourly, 'hour', plan.hours, filters, select));
  // An empty range (a custom range in the future): no rows, same columns.
  if (parts.length === 0) return sql`select ''::text as bucket, 0 as sign, ${select} from ${sql.raw(hourly)} x where false`;
  return sql.join(parts, sql` union all `);
}

const MEASURES = sql.raw('x.status_class, x.requests, x.cost_micros, x.input_tokens, x.output_tokens');
const HISTOGRAMS = sql.raw(['x.requests', ...HISTOGRAM_COLUMNS.map((c) => `x.${c}`)].join(', '));
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

/**
 * One of the page's statements, without parallel workers: they read a few thousand rollup rows, and
 * starting workers cost more than it saved (`npm run bench:usage` before and after this, README
 * "Usage analytics at volume": the end-user page 174 → 75 ms). SET LOCAL ends with the transaction.
 */
async function analytics(db: Database, query: SQL): Promise<unknown> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    return tx.execute(query);
  });
}

/** postgres.js returns an array of rows, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** The groups with the most spend (then requests) in the range, best first. */
export async function topGroups(db: Database, userId: string, f: ResolvedFilters, limit = TOP_GROUPS): Promise<string[]> {
  if (f.group === 'none' || f.group === 'status') return [];
  const result = await analytics(db, topGroupsQuery(userId, f as ResolvedFilters & { group: RankedGroup }, limit));
  return rowsOf<{ g: string }>(result).map((row) => row.g);
}

type RankedGroup = Exclude<UsageGroup, 'none' | 'status'>;

function topGroupsQuery(userId: string, f: ResolvedFilters & { group: RankedGroup }, limit: number): SQL {
  const column = sql.raw(`x.${GROUP_COLUMN[f.group]}::text`);
  // End users are ranked from one row per end user and day, unless a filter needs the columns that table lacks.
  // One end user's keys, links or models come from the end-user rows (the main tables have no end user).
  const tier: Tier = f.group === 'end_user' ? (narrowed(f) ? 'endUsers' : 'endUserDays') : endUserView(f) ? 'endUsers' : 'main';
  return sql`
    select g from (${rollupRows(userId, f, tier, sql`${column} as g, x.requests, x.cost_micros`, { buckets: false })}) r
    group by 1 having sum(sign * requests) <> 0
    order by sum(sign * cost_micros) desc, sum(sign * requests) desc, 1 limit ${limit}`;
}

/**
 * Requests, spend and tokens per time bucket × group × status class. With `top`, groups beyond it
 * are folded into OTHER_GROUP in SQL; without, every group comes back (keys, links, models: a
 * handful) and the caller folds — except end users (there can be thousands): their top ones are
 * picked in the same statement (topGroups' ranking) unless given.
 */
export async function usageSeries(db: Database, userId: string, f: ResolvedFilters, top?: readonly string[]): Promise<SeriesRow[]> {
  // The top end users, when the statement picks them, are ranked once (two parts of it read them).
  const ranked = f.group === 'end_user' && !top ? sql`with top_end_users as materialized (select array(${topGroupsQuery(userId, { ...f, group: 'end_user' }, TOP_GROUPS)}) as names) ` : sql``;
  const result = await analytics(db, sql`${ranked}
    select bucket, grp, status_class::int as sc, sum(sign * requests::float8) as requests, sum(sign * cost_micros::float8) as cost,
      sum(sign * input_tokens::float8) as tin, sum(sign * output_tokens::float8) as tout
    from (${seriesRows(userId, f, top)}) r
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

/** The series' rows, `grp` NULL for "Other" ('' is a real value: no key, no model…). */
function seriesRows(userId: string, f: ResolvedFilters, given: readonly string[] | undefined): SQL {
  // The top groups as a text[] (a NULL first, so an empty list still has a type; `= any` never matches it).
  const listed = (groups: readonly string[]) => sql`array[${sql.join([sql`null`, ...groups.map((g) => sql`${g}`)], sql`, `)}]::text[]`;
  const top = given ? listed(given) : f.group === 'end_user' ? sql`(select names from top_end_users)::text[]` : undefined;
  if (f.group === 'end_user' && !narrowed(f) && f.endUser === undefined) {
    // Every named record from the totals as "Other", then the top end users' own days and hours
    // moved out of "Other" into their own series: total − top, exactly, without reading the rest.
    // Each of those rows is read once and counted twice: for its end user, and back out of "Other".
    const own = rollupRows(userId, f, 'endUserDays', sql`x.end_user as grp, ${MEASURES}`, { where: sql`x.end_user = any(${top})` });
    return sql`${rollupRows(userId, f, 'totals', sql`null::text as grp, ${MEASURES}`)}
      union all select mine.bucket, mine.sign * moved.sign, moved.grp, mine.status_class, mine.requests, mine.cost_micros, mine.input_tokens, mine.output_tokens
      from (${own}) mine cross join lateral (values (mine.grp, 1), (null::text, -1)) as moved(grp, sign)`;
  }
  if (f.group === 'none' || f.group === 'status') {
    const grp = f.group === 'status' ? sql`x.status_class::text` : sql`''::text`;
    const tier: Tier = f.endUser !== undefined ? 'endUsers' : narrowed(f) ? 'main' : 'totals';
    return rollupRows(userId, f, tier, sql`${grp} as grp, ${MEASURES}`);
  }
  const column = sql.raw(`x.${GROUP_COLUMN[f.group]}`);
  const grp = !top ? column : sql`case when ${column} = any(${top}) then ${column} end`;
  return rollupRows(userId, f, endUserView(f) ? 'endUsers' : 'main', sql`${grp} as grp, ${MEASURES}`);
}

/**
 * The merged latency histogram per bucket. A query of its own, run beside usageSeries: summing the
 * histograms is the costliest part, and the two then share the machine's cores. The chart is per
 * bucket, not per group: the totals answer it unless a filter needs finer rows.
 */
export async function latencySeries(db: Database, userId: string, f: ResolvedFilters): Promise<Map<string, number[]>> {
  const tier: Tier = f.endUser !== undefined || (f.group === 'end_user' && narrowed(f)) ? 'endUsers' : narrowed(f) ? 'main' : 'totals';
  const result = await analytics(db, sql`
    select bucket, array[${histogramSums}] as hist
    from (${rollupRows(userId, f, tier, HISTOGRAMS)}) r
    group by 1 having sum(sign * requests) <> 0`);
  return new Map(rowsOf<{ bucket: string; hist: (number | string)[] }>(result).map((row) => [row.bucket, row.hist.map(Number)]));
}

/** The models used in the range (for the filter's choices). */
export async function usedModels(db: Database, userId: string, f: ResolvedFilters): Promise<string[]> {
  const range = { ...f, keyId: undefined, linkId: undefined, model: undefined, endUser: undefined, statusClass: undefined, group: 'none' as const };
  const rows = rollupRows(userId, range, 'main', sql`x.model, x.requests`, { buckets: false, where: sql`x.model <> ''` });
  const result = await analytics(db, sql`select distinct model from (${rows}) r order by 1`);
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
