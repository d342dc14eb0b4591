import { formatDollars, type Micros } from '@/lib/money';
import type { SpendWindow } from '@/lib/limits/windows';

/**
 * How the keys pages write times, limits and money. Times are shown in UTC because spend
 * windows are UTC-aligned (lib/limits/windows.ts), and the server renders them: one clock for
 * everyone, no hydration mismatch between the server's and the browser's time zone.
 */

const utc = new Intl.DateTimeFormat('en-US', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const utcDay = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });

export function formatTime(value: Date | string | null, empty = 'never'): string {
  if (value === null) return empty;
  return `${utc.format(new Date(value))} UTC`;
}

/** "$0.00 / $5.00", or "$0.00 / no limit". */
export function spendLabel(spent: Micros, limit: Micros | null): string {
  return `${formatDollars(spent)} / ${limit === null ? 'no limit' : formatDollars(limit)}`;
}

/** Day windows reset every night at 00:00 UTC; longer ones on a date worth naming. */
export function resetLabel(window: SpendWindow, resetsAt: Date | string): string {
  return window === 'day' ? 'resets 00:00 UTC' : `resets ${utcDay.format(new Date(resetsAt))}, 00:00 UTC`;
}

const rateUnits = { per_minute: 'min', per_hour: 'hour', per_day: 'day' } as const;

/** "60/min · 1,000/hour", or "none". */
export function rateLimitsLabel(limits: Record<keyof typeof rateUnits, number | null>): string {
  const parts = (Object.keys(rateUnits) as (keyof typeof rateUnits)[])
    .filter((period) => limits[period] !== null)
    .map((period) => `${limits[period]!.toLocaleString('en-US')}/${rateUnits[period]}`);
  return parts.length ? parts.join(' · ') : 'none';
}
