import { describe, expect, it } from 'vitest';
import { autoTopUpSettingsSchema, topUpAmountSchema } from './amounts';

const message = (input: string) => {
  const result = topUpAmountSchema.safeParse(input);
  return result.success ? result.data : result.error.issues[0]?.message;
};

describe('top-up amounts', () => {
  it('accepts amounts from $5 to $1,000 in whole cents, as micros', () => {
    expect(message('5')).toBe(5_000_000);
    expect(message('$12.50')).toBe(12_500_000);
    expect(message('1,000')).toBe(1_000_000_000);
  });

  it('says what is allowed outside the bounds', () => {
    const bounds = 'Enter an amount between $5 and $1,000';
    expect(message('4.99')).toBe(bounds);
    expect(message('0')).toBe(bounds);
    expect(message('1000.01')).toBe(bounds);
    expect(message('99999999999999')).toBe(bounds);
    expect(message('-10')).toBe('Must not be negative');
    expect(message('12.345')).toBe('Use whole cents, e.g. 12.50');
    expect(message('ten')).toMatch(/Enter an amount in dollars/);
    expect(message('12,50')).toBe('Use a dot for cents, e.g. 12.50');
  });

  it('automatic top-up settings: off needs nothing, on needs a bounded threshold and amount', () => {
    expect(autoTopUpSettingsSchema.parse({ enabled: 'off', threshold: 'junk' })).toEqual({ enabled: 'off' });
    expect(autoTopUpSettingsSchema.parse({ enabled: 'on', threshold: '5', amount: '25' })).toEqual({ enabled: 'on', threshold: 5_000_000, amount: 25_000_000 });
    const bad = autoTopUpSettingsSchema.safeParse({ enabled: 'on', threshold: '0.5', amount: '2000' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => [issue.path[0], issue.message])).toEqual([
      ['threshold', 'Enter an amount between $1 and $1,000'],
      ['amount', 'Enter an amount between $5 and $1,000'],
    ]);
  });
});
