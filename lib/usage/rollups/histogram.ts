/**
 * The fixed latency buckets of the rollups' histograms (usage_hourly.h0 … h24). Bucket i counts
 * latencies below LATENCY_BUCKETS_MS[i] (and at least the bound before it); the last bucket, one
 * past the bounds, counts everything slower. Roughly logarithmic, so p50 / p95 read from merged
 * histograms are within one bucket's width of the exact value: about ±20 % of it.
 *
 * Changing the bounds changes the meaning of stored rows: only ever append a new last bound (and
 * its column, with a migration). One integer column per bucket rather than an integer[]: summing
 * plain columns over a month of rollups is ~2.5× faster than summing array elements.
 * Pure: the page and the SQL (width_bucket over the same array, lib/bench/usage-seed.ts) share it.
 */
export const LATENCY_BUCKETS_MS = [
  5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 20_000, 30_000, 60_000,
  120_000,
] as const;
export const HISTOGRAM_SIZE = LATENCY_BUCKETS_MS.length + 1;
/** The rollup columns of the buckets, in order (HISTOGRAM_SIZE of them). */
export const HISTOGRAM_COLUMNS = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9', 'h10', 'h11', 'h12', 'h13', 'h14', 'h15', 'h16', 'h17', 'h18', 'h19', 'h20', 'h21', 'h22', 'h23', 'h24'] as const;
export type HistogramColumn = (typeof HISTOGRAM_COLUMNS)[number];

/** The bucket of one latency: what PostgreSQL's width_bucket(latency, LATENCY_BUCKETS_MS) returns. */
export function latencyBucket(latencyMs: number): number {
  let low = 0;
  let high: number = LATENCY_BUCKETS_MS.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (latencyMs < LATENCY_BUCKETS_MS[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_SIZE).fill(0);
}

/** Adds `from` into `into` element by element (histograms stored before a bound was appended are shorter). */
export function mergeHistogram(into: number[], from: readonly number[]): number[] {
  for (let i = 0; i < from.length && i < into.length; i++) into[i]! += Number(from[i] ?? 0);
  return into;
}

/**
 * The latency below which `q` (0..1) of the requests fall, interpolated linearly inside the bucket
 * it lands in; null for an empty histogram. The open last bucket answers its lower bound.
 */
export function percentile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i]!;
    if (n > 0 && seen + n >= rank) {
      const low = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1]!;
      const high = LATENCY_BUCKETS_MS[i];
      if (high === undefined) return low;
      return low + ((high - low) * Math.max(0, rank - seen)) / n;
    }
    seen += n;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}
