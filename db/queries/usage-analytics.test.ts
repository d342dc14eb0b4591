import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFilters, usageFiltersSchema, type ResolvedFilters } from '@/lib/usage/filters';
import { aggregateRollups } from '@/lib/usage/rollups/aggregate';
import { latencyBucket, emptyHistogram } from '@/lib/usage/rollups/histogram';
import { localDate } from '@/lib/usage/time-zone';
import { usageRecords, type NewUsageRow } from '../schema';
import { requirePostgresInCi, testEngines, type MigratedDatabase } from '../test-database';
import { upsertRollups } from './rollups';
import { latencySeries, OTHER_GROUP, topGroups, usageSeries, usedModels } from './usage-analytics';
import { insertPeople } from './users';

/**
 * The usage page's numbers, from the rollup tiers (whole UTC days from usage_daily, the rest and
 * the hours a viewer's day shares with the next from usage_hourly), against a direct aggregation
 * over the raw records — in time zones whose days are not UTC days, across a DST change, for
 * every grouping and filter the page has. The rollups are built the drain's way, in batches.
 */

requirePostgresInCi();

// The last 30 days hold Europe's (2026-03-29) and the USA's (2026-03-08) change to summer time.
const now = new Date('2026-03-31T10:17:00Z');
const HOUR_MS = 3_600_000;
const KEYS = ['k1', 'k2', 'k3'];
const LINKS = ['l1', 'l2'];
const MODELS = ['m-a', 'm-b', 'm-c'];
const STATUSES = [200, 200, 200, 201, 302, 400, 429, 500, 502];

/** A small deterministic generator: the same records on every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function records(userId: string, count: number): NewUsageRow[] {
  const next = random(7);
  const pick = <T,>(values: readonly T[]) => values[Math.floor(next() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const viaLink = next() < 0.3;
    return {
      requestId: `req_${i}`,
      userId,
      keyId: viaLink ? null : pick(KEYS),
      linkId: viaLink ? pick(LINKS) : null,
      model: next() < 0.05 ? null : pick(MODELS),
      operation: 'chat',
      status: pick(STATUSES),
      inputTokens: Math.floor(next() * 1000),
      outputTokens: Math.floor(next() * 500),
      costMicros: Math.floor(next() * 50_000),
      latencyMs: Math.floor(next() ** 3 * 20_000),
      endUser: next() < 0.5 ? `user-${Math.floor(next() * 14)}` : null,
      stream: false,
      // 33 days back, so the 30-day range has records before its start too.
      createdAt: new Date(now.getTime() - Math.floor(next() * 33 * 24 * HOUR_MS)),
    };
  });
}

/**
 * What the page shows, summed straight from the records. A record counts in the bucket of the
 * hour it started in (the rollups are hourly: in a zone whose offset is not whole hours, like
 * Kathmandu's, an hour is put in the local day it starts in).
 */
function direct(rows: NewUsageRow[], f: ResolvedFilters) {
  const firstHour = Math.floor(f.start.getTime() / HOUR_MS) * HOUR_MS;
  const group = (row: NewUsageRow): string => {
    switch (f.group) {
      case 'key': return row.keyId ?? '';
      case 'link': return row.linkId ?? '';
      case 'model': return row.model ?? '';
      case 'end_user': return row.endUser!;
      case 'status': return String(statusClass(row.status));
      default: return '';
    }
  };
  // Rollup hours that start inside the range count whole (in Kathmandu a custom range ends at :15).
  const inRange = (at: number) => at >= firstHour && Math.floor(at / HOUR_MS) * HOUR_MS < f.end.getTime();
  const kept = rows.filter((row) => {
    if (!inRange(row.createdAt!.getTime())) return false;
    if ((f.endUser !== undefined || f.group === 'end_user') && !row.endUser) return false;
    if (f.keyId !== undefined && row.keyId !== f.keyId) return false;
    if (f.linkId !== undefined && row.linkId !== f.linkId) return false;
    if (f.model !== undefined && (row.model ?? '') !== f.model) return false;
    if (f.endUser !== undefined && row.endUser !== f.endUser) return false;
    if (f.statusClass !== undefined && statusClass(row.status) !== Number(f.statusClass)) return false;
    return true;
  });
  const bucket = (row: NewUsageRow) => {
    const hour = new Date(Math.floor(row.createdAt!.getTime() / HOUR_MS) * HOUR_MS);
    return f.granularity === 'hour' ? hour.toISOString().replace('.000Z', 'Z') : localDate(hour, f.timeZone);
  };
  const series = new Map<string, { requests: number; costMicros: number; inputTokens: number; outputTokens: number }>();
  const latency = new Map<string, number[]>();
  const groups = new Map<string, { cost: number; requests: number }>();
  const models = new Set<string>();
  for (const row of rows) {
    if (inRange(row.createdAt!.getTime()) && row.model) models.add(row.model);
  }
  for (const row of kept) {
    const key = `${bucket(row)}|${group(row)}|${statusClass(row.status)}`;
    const s = series.get(key) ?? { requests: 0, costMicros: 0, inputTokens: 0, outputTokens: 0 };
    s.requests += 1;
    s.costMicros += row.costMicros ?? 0;
    s.inputTokens += row.inputTokens ?? 0;
    s.outputTokens += row.outputTokens ?? 0;
    series.set(key, s);
    const hist = latency.get(bucket(row)) ?? emptyHistogram();
    hist[latencyBucket(row.latencyMs)]! += 1;
    latency.set(bucket(row), hist);
    const g = groups.get(group(row)) ?? { cost: 0, requests: 0 };
    g.cost += row.costMicros ?? 0;
    g.requests += 1;
    groups.set(group(row), g);
  }
  const ranked = [...groups].sort(([, a], [, b]) => b.cost - a.cost || b.requests - a.requests).map(([g]) => g);
  return { series, latency, ranked, models: [...models].sort() };
}

const statusClass = (status: number) => Math.min(5, Math.max(2, Math.floor(status / 100)));

const VIEWS: Record<string, string>[] = [
  { range: '30d' },
  { range: '30d', granularity: 'hour' },
  { range: '30d', group: 'key' },
  { range: '30d', group: 'model' },
  { range: '30d', group: 'status' },
  { range: '30d', group: 'link', model: 'm-b' },
  { range: '30d', key: 'k2', group: 'status' },
  { range: '30d', status: '4' },
  { range: '30d', group: 'end_user' },
  { range: '30d', group: 'end_user', granularity: 'hour' },
  { range: '30d', group: 'end_user', status: '2' },
  { range: '30d', group: 'end_user', key: 'k1' },
  { range: '30d', endUser: 'user-3' },
  { range: '30d', endUser: 'user-3', group: 'model' },
  { range: '30d', endUser: 'user-3', group: 'key' },
  { range: '7d', granularity: 'hour', group: 'status', status: '5' },
  { range: '7d' },
  { range: '24h' },
  { range: 'custom', from: '2026-03-07', to: '2026-03-30' },
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Kiritimati'];

function suite(label: string, open: () => Promise<MigratedDatabase>) {
  describe(`usage page numbers from the rollup tiers on ${label}`, () => {
    let database: MigratedDatabase;
    let owner: string;
    let rows: NewUsageRow[];
    beforeAll(async () => {
      database = await open();
      const { db } = database.db;
      const [person] = await insertPeople(db, { email: 'tiers@example.com' });
      owner = person!.id;
      rows = records(owner, 2_500);
      // In batches, as the drain stores them: the rollups' ON CONFLICT increments add up.
      for (let i = 0; i < rows.length; i += 400) {
        const batch = rows.slice(i, i + 400);
        await db.insert(usageRecords).values(batch);
        await upsertRollups(db, aggregateRollups(batch.map((row) => ({ ...row, userId: row.userId!, keyId: row.keyId ?? null, linkId: row.linkId ?? null, model: row.model ?? null, endUser: row.endUser ?? null, costMicros: row.costMicros!, inputTokens: row.inputTokens!, cachedInputTokens: 0, outputTokens: row.outputTokens!, requestBytes: 0, responseBytes: 0, createdAt: row.createdAt! }))));
      }
    }, 60_000);
    afterAll(() => database?.done());

    for (const timeZone of ZONES) {
      it(`every view equals a direct aggregation over the records, in ${timeZone}`, async () => {
        const { db } = database.db;
        for (const view of VIEWS) {
          const f = resolveFilters(usageFiltersSchema.parse(view), timeZone, now);
          const want = direct(rows, f);
          const context = `${timeZone} ${JSON.stringify(view)}`;

          const top = f.group === 'end_user' ? await topGroups(db, owner, f) : undefined;
          if (top) expect(top, context).toEqual(want.ranked.slice(0, top.length));
          // Keys, links and models are ranked in memory by the page; the query must agree all the same.
          if (f.group === 'key' || f.group === 'link' || f.group === 'model') expect(await topGroups(db, owner, f, 3), context).toEqual(want.ranked.slice(0, 3));
          const series = await usageSeries(db, owner, f, top);
          // The page lets the series pick its top end users itself, in the same statement.
          if (top) expect(await usageSeries(db, owner, f), context).toEqual(series);
          const got = new Map(series.map((row) => [`${row.bucket}|${row.group}|${row.statusClass}`, { requests: row.requests, costMicros: row.costMicros, inputTokens: row.inputTokens, outputTokens: row.outputTokens }]));
          const expected = new Map(want.series);
          if (top) {
            // Beyond the top groups, SQL folds end users into one "Other" series per bucket and status.
            for (const [key, value] of want.series) {
              const [bucket, group, sc] = key.split('|');
              if (top.includes(group!)) continue;
              expected.delete(key);
              const other = `${bucket}|${OTHER_GROUP}|${sc}`;
              const sum = expected.get(other) ?? { requests: 0, costMicros: 0, inputTokens: 0, outputTokens: 0 };
              expected.set(other, { requests: sum.requests + value.requests, costMicros: sum.costMicros + value.costMicros, inputTokens: sum.inputTokens + value.inputTokens, outputTokens: sum.outputTokens + value.outputTokens });
            }
          }
          expect(got, context).toEqual(expected);
          expect(await latencySeries(db, owner, f), context).toEqual(want.latency);
          expect(await usedModels(db, owner, f), context).toEqual(want.models);
        }
      });
    }
  });
}

for (const engine of testEngines()) suite(engine.label, engine.open);
