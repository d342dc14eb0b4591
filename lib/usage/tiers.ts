import { localDate } from './time-zone';

/**
 * Which rollup rows answer a range of the usage page (db/queries/usage-analytics.ts), and which
 * chart bucket each counts towards. Whole UTC days come from the daily tier (usage_daily), the
 * hours at the range's edges from the hourly one (usage_hourly): a month is ~30 daily rows per
 * combination of key, link, model and status instead of ~720 hourly ones.
 *
 * A viewer's day is rarely a UTC day (Berlin's starts at 22:00 or 23:00 UTC), so a UTC day's row
 * counts towards the local day most of its hours fall on, and each hour that belongs to the other
 * local day is moved: counted again in its own bucket (+1) and taken back out of the day's (−1).
 * Every measure is a sum (latency histograms included), so the result is exactly what summing
 * the range's hourly rows by local day gives — and the hours moved are at most 12 a day.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface TierPart {
  /** The first instant of the UTC day (daily tier) or hour (hourly tier). */
  at: Date;
  /** The chart bucket the row counts towards ('' when the question has no buckets). */
  bucket: string;
  sign: 1 | -1;
}

export interface TierPlan {
  days: TierPart[];
  hours: TierPart[];
}

export interface TierRange {
  start: Date;
  end: Date;
  granularity: 'hour' | 'day';
  timeZone: string;
}

/**
 * `buckets: false` for questions about the range as a whole (top groups, models used): one
 * bucket, nothing to move. `daily: false` for a table that has no daily tier (end users).
 */
export function planTiers(range: TierRange, { buckets = true, daily = true }: { buckets?: boolean; daily?: boolean } = {}): TierPlan {
  // Rollup hours that start inside the range; a preset's first hour is whole (filters.ts).
  const first = Math.floor(range.start.getTime() / HOUR_MS) * HOUR_MS;
  const end = range.end.getTime();
  const bucketOf = (hour: number): string =>
    !buckets ? '' : range.granularity === 'hour' ? new Date(hour).toISOString().replace('.000Z', 'Z') : localDate(new Date(hour), range.timeZone);
  const plan: TierPlan = { days: [], hours: [] };
  // Hourly buckets need hourly rows; so does a table without a daily tier.
  const useDays = daily && !(buckets && range.granularity === 'hour');
  for (let hour = first; hour < end; ) {
    const dayEnd = hour + DAY_MS;
    if (useDays && hour % DAY_MS === 0 && dayEnd <= end) {
      const bucket = bucketOf(hour + DAY_MS / 2);
      plan.days.push({ at: new Date(hour), bucket, sign: 1 });
      for (let h = hour; h < dayEnd; h += HOUR_MS) {
        const own = bucketOf(h);
        if (own === bucket) continue;
        plan.hours.push({ at: new Date(h), bucket: own, sign: 1 }, { at: new Date(h), bucket, sign: -1 });
      }
      hour = dayEnd;
      continue;
    }
    plan.hours.push({ at: new Date(hour), bucket: bucketOf(hour), sign: 1 });
    hour += HOUR_MS;
  }
  return plan;
}
