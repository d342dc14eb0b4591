import { describe, expect, it } from 'vitest';
import { linkSchemas } from '@/lib/links/schema';
import { parseKeyForm } from '@/app/(dashboard)/keys/key-form-schema';
import { keyCreateSchema, keyUpdateSchema } from './schema';

// The one rule against contradictory limits, as the management API (micro-dollars, JSON paths)
// and the dashboard's key form (dollars, one box per limit) both apply it.

const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  data.set('name', 'k');
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};
const formErrors = (fields: Record<string, string>) => {
  const result = parseKeyForm(form(fields), 'create');
  return result.ok ? {} : result.errors;
};

describe('contradictory limits', () => {
  it('refuse a shorter window above a longer one, naming the tightest longer limit; $0 is said to block all spending', () => {
    expect(issuesOf(keyCreateSchema.safeParse({ name: 'k', spending_limits: { day: 10_000_000, week: 1_000_000, month: 0 } }))).toEqual([
      'spending_limits.day: Must be at most the monthly limit ($0.00, which blocks all spending — use null for no limit)',
      'spending_limits.week: Must be at most the monthly limit ($0.00, which blocks all spending — use null for no limit)',
    ]);
    expect(issuesOf(keyCreateSchema.safeParse({ name: 'k', spending_limits: { day: 10_000_000, month: 5_000_000 } }))).toEqual([
      'spending_limits.day: Must be at most the monthly limit ($5.00)',
    ]);
    expect(issuesOf(keyUpdateSchema.safeParse({ rate_limits: { per_minute: 60, per_hour: 1_000, per_day: 500 } }))).toEqual([
      'rate_limits.per_hour: Must be at most the limit per day (500 requests)',
    ]);
  });

  it('accept equal limits, gaps (no limit in between) and a longer window without a limit', () => {
    for (const spending_limits of [{ day: 1_000_000, week: 1_000_000, month: 1_000_000 }, { day: 1_000_000, month: 2_000_000 }, { day: 5_000_000, week: null }, { day: 0, week: 0 }]) {
      expect(keyCreateSchema.safeParse({ name: 'k', spending_limits }).success, JSON.stringify(spending_limits)).toBe(true);
    }
    expect(keyCreateSchema.safeParse({ name: 'k', rate_limits: { per_minute: 60, per_day: 60 } }).success).toBe(true);
  });

  it('put the message next to the box in the dashboard form, worded for an empty box', () => {
    expect(formErrors({ spend_day: '10', spend_week: '1', spend_month: '0' })).toEqual({
      spend_day: 'Must be at most the monthly limit ($0.00, which blocks all spending — leave empty for no limit)',
      spend_week: 'Must be at most the monthly limit ($0.00, which blocks all spending — leave empty for no limit)',
    });
    expect(formErrors({ rate_per_minute: '100', rate_per_hour: '50' })).toEqual({ rate_per_minute: 'Must be at most the limit per hour (50 requests)' });
  });

  it('compare only limits that are valid on their own', () => {
    // -5 is refused for what it is; the daily limit is not also told to be at most -$5.00.
    expect(formErrors({ spend_day: '10', spend_week: '-5' })).toEqual({ spend_week: 'Must not be negative' });
  });

  it("hold for a link's rate limits and its limits per end user", () => {
    const { create, update } = linkSchemas({ allowPrivate: false });
    const link = { name: 'l', preset: 'openai', secret: 'sk-1' };
    expect(issuesOf(create.safeParse({ ...link, end_user_rate_limits: { per_minute: 10, per_hour: 5 } }))).toEqual([
      'end_user_rate_limits.per_minute: Must be at most the limit per hour (5 requests)',
    ]);
    expect(issuesOf(update.safeParse({ rate_limits: { per_hour: 2, per_day: 1 } }))).toEqual(['rate_limits.per_hour: Must be at most the limit per day (1 request)']);
    // The monthly request cap is a quota of its own, not compared with the rate windows.
    expect(create.safeParse({ ...link, rate_limits: { per_minute: 100 }, monthly_request_cap: 4 }).success).toBe(true);
  });
});

describe('a number too large', () => {
  it('is said to be too large, with the real maximum — for requests and for dollars', () => {
    expect(formErrors({ rate_per_day: '99999999999999999999' })).toEqual({ rate_per_day: 'Must be at most 10,000,000' });
    expect(formErrors({ rate_per_hour: '1e400' })).toEqual({ rate_per_hour: 'Must be at most 10,000,000' });
    expect(formErrors({ rate_per_minute: '10000001' })).toEqual({ rate_per_minute: 'Must be at most 10,000,000' });
    expect(formErrors({ spend_month: '99999999999999999999' })).toEqual({ spend_month: 'Must be at most $1,000,000' });
    // Still: a fraction is not whole, and the maximum itself is accepted.
    expect(formErrors({ rate_per_day: '1.5' })).toEqual({ rate_per_day: 'Must be a whole number of requests' });
    expect(formErrors({ rate_per_day: '10000000', spend_month: '1000000' })).toEqual({});
  });
});
