/** How the links pages write counts, sizes and latencies (times use ../keys/format.ts). */

export const formatCount = (n: number) => n.toLocaleString('en-US');

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB" (powers of 1024, one decimal above bytes). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export const formatLatency = (ms: number | null) => (ms === null ? '—' : `${Math.round(ms).toLocaleString('en-US')} ms`);

/** The usage window of the links pages. */
export const USAGE_DAYS = 30;
export const usageSince = (now = new Date()) => new Date(now.getTime() - USAGE_DAYS * 86_400_000);
