import { formatDollars } from '@/lib/money';

/**
 * Limits of nested windows must not contradict each other: a daily spending limit of $10 under a
 * weekly one of $1 can never be reached, and accepting it silently leaves people believing the
 * larger number applies. The one rule, for keys' spending and rate limits and links' request
 * limits: the zod schemas (dashboard forms and management API alike) and the services (on what a
 * partial update leaves stored) all call these. Pure: the key form runs it in the browser.
 */

export interface WindowLimit {
  /** Where an issue about this limit goes, e.g. ['day'] or ['rate_limits', 'per_hour']. */
  path: readonly (string | number)[];
  /** How a message names this limit when a shorter window's limit is above it. */
  name: string;
  value: number | null | undefined;
}

export interface LimitOrderIssue {
  path: (string | number)[];
  message: string;
}

/**
 * `windows` shortest first; null/undefined is no limit. Each limit above the tightest limit of a
 * longer window gets one issue naming that limit, so the person sees which number to lower.
 */
export function windowOrderIssues(windows: readonly WindowLimit[], show: (value: number) => string): LimitOrderIssue[] {
  const issues: LimitOrderIssue[] = [];
  windows.forEach((window, i) => {
    if (typeof window.value !== 'number') return;
    let tightest: { name: string; value: number } | undefined;
    for (const longer of windows.slice(i + 1)) {
      if (typeof longer.value === 'number' && (!tightest || longer.value < tightest.value)) tightest = { name: longer.name, value: longer.value };
    }
    if (tightest && window.value > tightest.value) {
      issues.push({ path: [...window.path], message: `Must be at most ${tightest.name} (${show(tightest.value)})` });
    }
  });
  return issues;
}

type Maybe = number | null | undefined;

// A spending limit of 0 is not "no limit" (that is null): it allows no spending at all
// (lib/limits/lua.ts). Said outright, since 0 is what people type when they mean "none".
const showMicros = (micros: number) =>
  micros === 0 ? `${formatDollars(0)}, which blocks all spending — use null for no limit` : formatDollars(micros);

const showRequests = (count: number) => `${count.toLocaleString('en-US')} request${count === 1 ? '' : 's'}`;

/** Spending limits in micro-dollars: day ≤ week ≤ month. Paths are relative to `spending_limits`. */
export const spendOrderIssues = (spend: { day?: Maybe; week?: Maybe; month?: Maybe }, prefix: readonly string[] = []) =>
  windowOrderIssues(
    [
      { path: [...prefix, 'day'], name: 'the daily limit', value: spend.day },
      { path: [...prefix, 'week'], name: 'the weekly limit', value: spend.week },
      { path: [...prefix, 'month'], name: 'the monthly limit', value: spend.month },
    ],
    showMicros,
  );

/** Requests per minute ≤ per hour ≤ per day. Paths are relative to the object holding them. */
export const rateOrderIssues = (rate: { per_minute?: Maybe; per_hour?: Maybe; per_day?: Maybe }, prefix: readonly string[] = []) =>
  windowOrderIssues(
    [
      { path: [...prefix, 'per_minute'], name: 'the limit per minute', value: rate.per_minute },
      { path: [...prefix, 'per_hour'], name: 'the limit per hour', value: rate.per_hour },
      { path: [...prefix, 'per_day'], name: 'the limit per day', value: rate.per_day },
    ],
    showRequests,
  );

