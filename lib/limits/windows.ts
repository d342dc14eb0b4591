import { z } from 'zod';

/**
 * Time windows for spending limits and rate limits. Spend windows are calendar-aligned in UTC:
 * a "day" limit resets at 00:00 UTC, a "week" limit on Monday 00:00 UTC, a "month" limit on the
 * 1st at 00:00 UTC. UTC because a key is shared by people in many time zones and because local
 * days are 23 or 25 hours long across DST changes; one fixed clock keeps every instance, every
 * Redis key and every "resets in…" label in agreement. Pure: the dashboard imports it too.
 */

export const SPEND_WINDOWS = ['day', 'week', 'month'] as const;
export type SpendWindow = (typeof SPEND_WINDOWS)[number];
export const spendWindowSchema = z.enum(SPEND_WINDOWS, { error: `Use one of ${SPEND_WINDOWS.join(', ')}` });

/** Rate limits count requests over rolling periods, so they are plain durations, not calendars. */
export const RATE_PERIODS = ['minute', 'hour', 'day'] as const;
export type RatePeriod = (typeof RATE_PERIODS)[number];
export const ratePeriodSchema = z.enum(RATE_PERIODS, { error: `Use one of ${RATE_PERIODS.join(', ')}` });

export const RATE_PERIOD_MS: Readonly<Record<RatePeriod, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

// An invalid Date would otherwise turn into the key "dNaN-…" and silently pool everyone's spend.
function assertValid(now: Date): void {
  if (Number.isNaN(now.getTime())) throw new RangeError('Invalid date');
}

/** The start of the window `now` falls in, counting `offset` windows forward (0 = current). */
function boundary(window: SpendWindow, now: Date, offset: number): Date {
  assertValid(now);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  // Date.UTC normalises overflow (day 32, month 12, day 0) into the right calendar date.
  switch (window) {
    case 'day':
      return new Date(Date.UTC(year, month, day + offset));
    case 'week': {
      const sinceMonday = (now.getUTCDay() + 6) % 7; // getUTCDay: 0 = Sunday
      return new Date(Date.UTC(year, month, day - sinceMonday + 7 * offset));
    }
    case 'month':
      return new Date(Date.UTC(year, month + offset, 1));
  }
}

/** 00:00 UTC of the day, of the Monday, or of the 1st that starts the window `now` is in. */
export function windowStart(window: SpendWindow, now: Date): Date {
  return boundary(window, now, 0);
}

/** When the window resets: the start of the next one, always strictly after `now`. */
export function windowReset(window: SpendWindow, now: Date): Date {
  return boundary(window, now, 1);
}

/** The day, week and month `now` falls in, each from its start to its reset (exclusive). */
export function currentSpendWindows(now: Date): Record<SpendWindow, { start: Date; end: Date }> {
  return {
    day: { start: windowStart('day', now), end: windowReset('day', now) },
    week: { start: windowStart('week', now), end: windowReset('week', now) },
    month: { start: windowStart('month', now), end: windowReset('month', now) },
  };
}

/**
 * A stable, human-readable name for the window, for Redis keys: `d2026-11-29`, `w2026-11-23`
 * (the Monday), `m2026-11`. Every instant in the window yields the same id, and the letter keeps
 * a day and a week that start on the same Monday apart.
 */
export function windowId(window: SpendWindow, now: Date): string {
  // All three ids are functions of the UTC day alone, and every gateway request asks for them
  // (building them costs three Dates and three ISO strings): kept for the day they were built for.
  const day = Math.floor(now.getTime() / DAY_MS);
  if (day !== idsDay) {
    assertValid(now);
    ids = { day: buildId('day', now), week: buildId('week', now), month: buildId('month', now) };
    idsDay = day;
  }
  return ids[window];
}

const DAY_MS = 86_400_000;
let idsDay = Number.NaN;
let ids: Record<SpendWindow, string>;

function buildId(window: SpendWindow, now: Date): string {
  const start = windowStart(window, now).toISOString();
  return window === 'month' ? `m${start.slice(0, 7)}` : `${window === 'day' ? 'd' : 'w'}${start.slice(0, 10)}`;
}

/** Whole seconds until the reset, rounded up (never 0): fit for Retry-After and Redis EXPIRE. */
export function secondsUntilReset(window: SpendWindow, now: Date): number {
  return Math.ceil((windowReset(window, now).getTime() - now.getTime()) / 1000);
}
