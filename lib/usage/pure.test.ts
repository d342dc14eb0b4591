import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv';
import { resolveFilters, usageFiltersSchema } from './filters';
import { aggregateRollups } from './rollups/aggregate';
import { HISTOGRAM_SIZE, LATENCY_BUCKETS_MS, latencyBucket, percentile } from './rollups/histogram';
import { localDate, startOfLocalDay, validTimeZone } from './time-zone';
import { usageRecord } from './fixtures';

describe('latency histograms', () => {
  it('bucket like PostgreSQL width_bucket: below the first bound is 0, at a bound is the next bucket', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(4)).toBe(0);
    expect(latencyBucket(5)).toBe(1);
    expect(latencyBucket(LATENCY_BUCKETS_MS.at(-1)!)).toBe(HISTOGRAM_SIZE - 1);
    expect(latencyBucket(10_000_000)).toBe(HISTOGRAM_SIZE - 1);
  });

  it('read p50 / p95 within one bucket of the exact value', () => {
    const latencies = Array.from({ length: 1_000 }, (_, i) => 20 + i * 3); // 20 … 3017 ms
    const histogram = new Array<number>(HISTOGRAM_SIZE).fill(0);
    for (const ms of latencies) histogram[latencyBucket(ms)]! += 1;
    const exact = (q: number) => latencies[Math.ceil(q * latencies.length) - 1]!;
    for (const q of [0.5, 0.95]) {
      const estimate = percentile(histogram, q)!;
      const bucket = latencyBucket(exact(q));
      expect(estimate).toBeGreaterThanOrEqual(bucket === 0 ? 0 : LATENCY_BUCKETS_MS[bucket - 1]!);
      expect(estimate).toBeLessThanOrEqual(LATENCY_BUCKETS_MS[bucket] ?? Infinity);
    }
    expect(percentile(new Array<number>(HISTOGRAM_SIZE).fill(0), 0.5)).toBeNull();
  });

  it('the drain folds records into one row per hour and dimensions, end users apart', () => {
    const at = Date.UTC(2026, 10, 29, 10, 15);
    const base = { userId: 'u', keyId: 'k', model: 'm', createdAt: at, latencyMs: 120, costMicros: 7 };
    const rows = [usageRecord(base), usageRecord({ ...base, endUser: 'eve', status: 201 }), usageRecord({ ...base, status: 503 }), usageRecord({ ...base, userId: null })];
    const { main, endUsers } = aggregateRollups(rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })));
    expect(main.map((r) => [r.hour.toISOString(), r.statusClass, r.requests, r.costMicros])).toEqual([
      ['2026-11-29T10:00:00.000Z', 2, 2, 14],
      ['2026-11-29T10:00:00.000Z', 5, 1, 7],
    ]);
    expect(endUsers).toHaveLength(1);
    expect(endUsers[0]).toMatchObject({ endUser: 'eve', requests: 1 });
  });
});

describe('CSV cells', () => {
  it('quote what needs quoting and defuse formulas, but keep numbers as numbers', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('-2,3')).toBe(`"'-2,3"`);
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['a', 1, true])).toBe('a,1,true\r\n');
  });
});

describe('usage filters and time zones', () => {
  it('fall back to defaults on junk instead of failing the page', () => {
    const parsed = usageFiltersSchema.parse({ range: 'forever', group: ['model', 'key'], status: '7xx', from: '2026-13-45', cursor: 'x' });
    expect(parsed).toMatchObject({ range: '7d', group: 'model', status: undefined, from: undefined, cursor: undefined });
  });

  it('preset ranges end now and start on a whole hour; custom ranges are whole local days', () => {
    const now = new Date('2026-11-29T17:42:00Z');
    const day = resolveFilters(usageFiltersSchema.parse({ range: '24h' }), 'UTC', now);
    expect(day.start.toISOString()).toBe('2026-11-28T18:00:00.000Z');
    expect(day.granularity).toBe('hour');
    const custom = resolveFilters(usageFiltersSchema.parse({ range: 'custom', from: '2026-03-28', to: '2026-03-29' }), 'Europe/Berlin', now);
    // Berlin switches to summer time on 29 March: the range is 47 hours long.
    expect(custom.start.toISOString()).toBe('2026-03-27T23:00:00.000Z');
    expect(custom.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(custom.granularity).toBe('hour');
  });

  it('know local midnights and dates, and refuse unknown zones', () => {
    expect(startOfLocalDay('2026-11-29', 'America/New_York').toISOString()).toBe('2026-11-29T05:00:00.000Z');
    expect(startOfLocalDay('2026-11-29', 'Asia/Kolkata').toISOString()).toBe('2026-11-28T18:30:00.000Z');
    expect(localDate(new Date('2026-11-29T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-30');
    expect(validTimeZone('Mars/Olympus')).toBe('UTC');
    expect(validTimeZone("UTC'; drop table users; --")).toBe('UTC');
    expect(validTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });
});
