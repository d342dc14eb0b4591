import 'server-only';
import { getDb } from '@/db';
import type { Database } from '@/db';
import { dimensionNames, latencySeries, OTHER_GROUP, TOP_GROUPS, usageSeries, usedModels, type SeriesRow } from '@/db/queries/usage-analytics';
import type { ResolvedFilters } from './filters';
import { emptyHistogram, mergeHistogram, percentile } from './rollups/histogram';
import { localDate, nextDate } from './time-zone';

/**
 * The usage page's data: what the charts draw, per time bucket, shaped for recharts (one object
 * per bucket, one property per series), plus totals and the filter options. Built from rollup
 * queries run side by side (db/queries/usage-analytics.ts); the shaping is done here, in memory.
 */

export interface Series {
  id: string;
  label: string;
}

export interface UsageReport {
  buckets: string[];
  groups: Series[];
  /** Dollars per group: `{ bucket, [group id]: dollars }`. */
  spend: Record<string, string | number>[];
  requests: { bucket: string; '2xx': number; '3xx': number; '4xx': number; '5xx': number }[];
  tokens: { bucket: string; input: number; output: number }[];
  latency: { bucket: string; p50: number | null; p95: number | null }[];
  errorRate: { bucket: string; rate: number | null }[];
  totals: { requests: number; costMicros: number; inputTokens: number; outputTokens: number; errors: number; p50: number | null; p95: number | null };
  options: { keys: Series[]; links: Series[]; models: string[] };
}

const HOUR_MS = 3_600_000;
/** More buckets than this would be an unreadable chart (400 days by hour); days are used instead. */
const MAX_HOUR_BUCKETS = 24 * 45;

export function bucketsOf(f: ResolvedFilters): string[] {
  const buckets: string[] = [];
  if (f.granularity === 'hour') {
    for (let t = Math.floor(f.start.getTime() / HOUR_MS) * HOUR_MS; t < f.end.getTime(); t += HOUR_MS) {
      buckets.push(new Date(t).toISOString().replace('.000Z', 'Z'));
    }
    return buckets;
  }
  const last = localDate(new Date(f.end.getTime() - 1), f.timeZone);
  for (let day = localDate(f.start, f.timeZone); day <= last; day = nextDate(day)) buckets.push(day);
  return buckets;
}

const statusLabel = (sc: string) => `${sc}xx`;

export async function loadUsageReport(userId: string, filters: ResolvedFilters): Promise<UsageReport> {
  const f = filters.granularity === 'hour' && filters.end.getTime() - filters.start.getTime() > MAX_HOUR_BUCKETS * HOUR_MS ? { ...filters, granularity: 'day' as const } : filters;
  const db = await getDb();
  // End users can be thousands: usageSeries picks their top ones in the same statement. Keys,
  // links and models are few: all come back and the top ones are picked here.
  const [all, latency, options] = await Promise.all([usageSeries(db, userId, f), latencySeries(db, userId, f), filterOptions(db, userId, f)]);
  const names = options.names;
  const { rows, top } = foldGroups(all, f.group);

  const label = (id: string): string => {
    if (id === OTHER_GROUP) return 'Other';
    if (f.group === 'key') return id === '' ? 'No key (links)' : (names.keys.get(id) ?? id);
    if (f.group === 'link') return id === '' ? 'No link (API keys)' : (names.links.get(id) ?? id);
    if (f.group === 'model') return id === '' ? 'No model' : id;
    if (f.group === 'status') return statusLabel(id);
    if (f.group === 'none') return 'Spend';
    return id;
  };
  const groupIds = f.group === 'none' ? [''] : f.group === 'status' ? ['2', '3', '4', '5'] : [...top, ...(rows.some((r) => r.group === OTHER_GROUP) ? [OTHER_GROUP] : [])];
  const groups = groupIds.map((id, i) => ({ id: `g${i}`, label: label(id) }));
  const seriesId = new Map(groupIds.map((id, i) => [id, groups[i]!.id]));

  const buckets = bucketsOf(f);
  const byBucket = new Map<string, SeriesRow[]>();
  for (const row of rows) byBucket.set(row.bucket, [...(byBucket.get(row.bucket) ?? []), row]);

  const totalHist = emptyHistogram();
  const totals = { requests: 0, costMicros: 0, inputTokens: 0, outputTokens: 0, errors: 0, p50: null as number | null, p95: null as number | null };
  const report: UsageReport = { buckets, groups, spend: [], requests: [], tokens: [], latency: [], errorRate: [], totals, options: { keys: [], links: [], models: [] } };

  for (const bucket of buckets) {
    const spend: Record<string, string | number> = { bucket };
    for (const g of groups) spend[g.id] = 0;
    const requests = { bucket, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
    const tokens = { bucket, input: 0, output: 0 };
    const hist = latency.get(bucket) ?? emptyHistogram();
    for (const row of byBucket.get(bucket) ?? []) {
      const id = seriesId.get(f.group === 'status' ? String(row.statusClass) : row.group);
      if (id) spend[id] = Number(spend[id]) + row.costMicros / 1_000_000;
      requests[statusLabel(String(row.statusClass)) as '2xx']! += row.requests;
      tokens.input += row.inputTokens;
      tokens.output += row.outputTokens;
      totals.requests += row.requests;
      totals.costMicros += row.costMicros;
      totals.inputTokens += row.inputTokens;
      totals.outputTokens += row.outputTokens;
      if (row.statusClass >= 4) totals.errors += row.requests;
    }
    mergeHistogram(totalHist, hist);
    const count = requests['2xx'] + requests['3xx'] + requests['4xx'] + requests['5xx'];
    report.spend.push(spend);
    report.requests.push(requests);
    report.tokens.push(tokens);
    report.latency.push({ bucket, p50: round(percentile(hist, 0.5)), p95: round(percentile(hist, 0.95)) });
    report.errorRate.push({ bucket, rate: count === 0 ? null : (requests['4xx'] + requests['5xx']) / count });
  }
  totals.p50 = round(percentile(totalHist, 0.5));
  totals.p95 = round(percentile(totalHist, 0.95));
  report.options = { keys: options.keys, links: options.links, models: options.models };
  return report;
}

/** Keeps the TOP_GROUPS groups with the most spend (then requests) and folds the rest into "Other". */
function foldGroups(rows: SeriesRow[], group: ResolvedFilters['group']): { rows: SeriesRow[]; top: string[] } {
  if (group === 'none' || group === 'status') return { rows, top: [] };
  const totals = new Map<string, { cost: number; requests: number }>();
  for (const row of rows) {
    if (row.group === OTHER_GROUP) continue;
    const t = totals.get(row.group) ?? { cost: 0, requests: 0 };
    t.cost += row.costMicros;
    t.requests += row.requests;
    totals.set(row.group, t);
  }
  const ranked = [...totals].sort(([ga, a], [gb, b]) => b.cost - a.cost || b.requests - a.requests || (ga < gb ? -1 : 1)).map(([g]) => g);
  const top = ranked.slice(0, TOP_GROUPS);
  const kept = new Set(top);
  return { rows: rows.map((row) => (kept.has(row.group) ? row : { ...row, group: OTHER_GROUP })), top };
}

export interface FilterChoices {
  keys: Series[];
  links: Series[];
  models: string[];
  names: Awaited<ReturnType<typeof dimensionNames>>;
}

/** The filters' choices: every key and link of the account (by name), and the models used in the range. */
export async function filterOptions(db: Database, userId: string, f: ResolvedFilters): Promise<FilterChoices> {
  const [names, models] = await Promise.all([dimensionNames(db, userId), usedModels(db, userId, f)]);
  const byName = (map: Map<string, string>) => [...map].map(([id, label]) => ({ id, label })).sort((a, b) => a.label.localeCompare(b.label));
  return { keys: byName(names.keys), links: byName(names.links), models, names };
}

const round = (value: number | null) => (value === null ? null : Math.round(value));
