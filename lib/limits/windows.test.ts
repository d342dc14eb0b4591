import { describe, expect, it } from 'vitest';
import {
  RATE_PERIOD_MS,
  SPEND_WINDOWS,
  type SpendWindow,
  ratePeriodSchema,
  secondsUntilReset,
  spendWindowSchema,
  windowId,
  windowReset,
  windowStart,
} from './windows';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('day windows', () => {
  it('run from 00:00 UTC to the next 00:00 UTC', () => {
    const now = at('2026-11-29T14:34:43.123Z');
    expect(iso(windowStart('day', now))).toBe('2026-11-29T00:00:00.000Z');
    expect(iso(windowReset('day', now))).toBe('2026-11-30T00:00:00.000Z');
    expect(windowId('day', now)).toBe('d2026-11-29');
  });

  it.each([
    ['2026-01-31T23:59:59.999Z', '2026-02-01T00:00:00.000Z'],
    ['2026-02-28T12:00:00Z', '2026-03-01T00:00:00.000Z'], // not a leap year
    ['2028-02-28T12:00:00Z', '2028-02-29T00:00:00.000Z'], // leap year
    ['2028-02-29T12:00:00Z', '2028-03-01T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z'],
  ])('roll over at month and year ends: %s resets at %s', (now, reset) => {
    expect(iso(windowReset('day', at(now)))).toBe(reset);
  });

  it('go by the UTC date, whatever offset the instant was written with', () => {
    // 00:30 in UTC+2 on March 1st is still February 28th in UTC.
    const now = at('2026-03-01T00:30:00+02:00');
    expect(windowId('day', now)).toBe('d2026-02-28');
    expect(windowId('month', now)).toBe('m2026-02');
    expect(windowId('day', at('2026-02-28T23:30:00-05:00'))).toBe('d2026-03-01');
  });

  it.each([
    '2026-03-08T12:00:00Z', // US clocks go forward
    '2026-03-29T12:00:00Z', // EU clocks go forward
    '2026-10-25T12:00:00Z', // EU clocks go back
    '2026-11-01T12:00:00Z', // US clocks go back
  ])('are 24 hours long even on the DST change of %s', (now) => {
    const start = windowStart('day', at(now));
    expect(windowReset('day', at(now)).getTime() - start.getTime()).toBe(RATE_PERIOD_MS.day);
    expect(iso(start)).toBe(`${now.slice(0, 10)}T00:00:00.000Z`);
  });
});

describe('week windows', () => {
  it('start on Monday 00:00 UTC', () => {
    const now = at('2026-11-29T14:34:43Z'); // a Sunday
    expect(iso(windowStart('week', now))).toBe('2026-11-23T00:00:00.000Z');
    expect(iso(windowReset('week', now))).toBe('2026-11-30T00:00:00.000Z');
    expect(windowId('week', now)).toBe('w2026-11-23');
  });

  it('change between Sunday 23:59:59.999 and Monday 00:00 UTC', () => {
    expect(windowId('week', at('2026-11-29T23:59:59.999Z'))).toBe('w2026-11-23');
    expect(windowId('week', at('2026-11-30T00:00:00.000Z'))).toBe('w2026-11-30');
    expect(secondsUntilReset('week', at('2026-11-29T23:59:59.999Z'))).toBe(1);
  });

  it('span months and years', () => {
    expect(windowId('week', at('2027-01-01T10:00:00Z'))).toBe('w2026-12-28'); // a Friday
    expect(iso(windowReset('week', at('2027-01-01T10:00:00Z')))).toBe('2027-01-04T00:00:00.000Z');
    expect(windowId('week', at('2028-03-01T00:00:00Z'))).toBe('w2028-02-28'); // a Wednesday
  });

  it('keep a Monday day apart from the week it starts', () => {
    const monday = at('2026-11-30T08:00:00Z');
    expect(windowId('day', monday)).toBe('d2026-11-30');
    expect(windowId('week', monday)).toBe('w2026-11-30');
  });
});

describe('month windows', () => {
  it.each([
    ['2026-01-31T23:59:59.999Z', '2026-01-01', '2026-02-01', 'm2026-01'],
    ['2026-02-28T23:59:59.999Z', '2026-02-01', '2026-03-01', 'm2026-02'],
    ['2028-02-29T23:59:59.999Z', '2028-02-01', '2028-03-01', 'm2028-02'],
    ['2026-03-01T00:00:00.000Z', '2026-03-01', '2026-04-01', 'm2026-03'],
    ['2026-12-31T23:59:59.999Z', '2026-12-01', '2027-01-01', 'm2026-12'],
  ])('%s is in the month from %s to %s', (now, start, reset, id) => {
    expect(iso(windowStart('month', at(now)))).toBe(`${start}T00:00:00.000Z`);
    expect(iso(windowReset('month', at(now)))).toBe(`${reset}T00:00:00.000Z`);
    expect(windowId('month', at(now))).toBe(id);
  });
});

describe('every window', () => {
  // Instants on and around boundaries, plus a walk through four years in steps of about 13 hours.
  const instants = [
    '2026-01-01T00:00:00.000Z',
    '2026-02-28T23:59:59.999Z',
    '2028-02-29T00:00:00.000Z',
    '2026-11-29T23:59:59.999Z',
    '2026-11-30T00:00:00.000Z',
    '1970-01-01T00:00:00.000Z',
    '2099-12-31T23:59:59.999Z',
  ].map(at);
  for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2029, 0, 1); t += 46_811_117) instants.push(new Date(t));

  it.each(SPEND_WINDOWS)('%s: start ≤ now < reset, and the reset starts the next window', (window: SpendWindow) => {
    for (const now of instants) {
      const start = windowStart(window, now);
      const reset = windowReset(window, now);
      expect(start.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(reset.getTime()).toBeGreaterThan(now.getTime());
      expect(windowStart(window, reset).getTime()).toBe(reset.getTime());
      expect(windowStart(window, start).getTime()).toBe(start.getTime());
      expect(windowId(window, new Date(reset.getTime() - 1))).toBe(windowId(window, now));
      expect(windowId(window, reset)).not.toBe(windowId(window, now));
      expect(secondsUntilReset(window, now)).toBeGreaterThanOrEqual(1);
    }
  });

  it('counts whole seconds to the reset, rounding up', () => {
    expect(secondsUntilReset('day', at('2026-11-29T00:00:00Z'))).toBe(86_400);
    expect(secondsUntilReset('day', at('2026-11-29T23:59:58.500Z'))).toBe(2);
    expect(secondsUntilReset('month', at('2026-02-01T00:00:00Z'))).toBe(28 * 86_400);
  });

  it('refuses an invalid date rather than inventing a key for it', () => {
    expect(() => windowId('day', new Date('nope'))).toThrow(RangeError);
    expect(() => secondsUntilReset('month', new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('names at the boundary', () => {
  it('accepts only known windows and periods', () => {
    expect(spendWindowSchema.parse('week')).toBe('week');
    expect(spendWindowSchema.safeParse('year').error?.issues[0]?.message).toBe('Use one of day, week, month');
    expect(ratePeriodSchema.parse('minute')).toBe('minute');
    expect(ratePeriodSchema.safeParse('second').success).toBe(false);
  });

  it('gives rate periods their lengths', () => {
    expect(RATE_PERIOD_MS).toEqual({ minute: 60_000, hour: 3_600_000, day: 86_400_000 });
  });
});
