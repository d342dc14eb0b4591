import { describe, expect, it } from 'vitest';
import {
  InvalidAmountError,
  MAX_AMOUNT_MICROS,
  MICROS_PER_DOLLAR,
  costMicros,
  dollarsSchema,
  formatDollars,
  microsToDollarString,
  optionalDollarsSchema,
  parseDollars,
} from './money';

const messageOf = (input: unknown) => {
  const result = dollarsSchema.safeParse(input);
  return result.success ? undefined : result.error.issues[0]?.message;
};

describe('parsing dollars people type', () => {
  it.each([
    ['12', 12_000_000],
    ['12.5', 12_500_000],
    ['12.50', 12_500_000],
    ['0.000001', 1],
    ['.25', 250_000],
    ['5.', 5_000_000],
    ['1,000.25', 1_000_250_000],
    [' $3.10 ', 3_100_000],
    ['$ 7', 7_000_000],
    ['007', 7_000_000],
    ['0', 0],
    ['1.5000000', 1_500_000], // trailing zeros past 6 places are still exact
    ['1,000,000', MAX_AMOUNT_MICROS],
  ])('reads %j as %i micros', (input, micros) => {
    expect(parseDollars(input)).toBe(micros);
    expect(dollarsSchema.parse(input)).toBe(micros);
  });

  it('never drifts like floating point does', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(parseDollars('0.1') + parseDollars('0.2')).toBe(parseDollars('0.3'));
    expect(parseDollars('999999.999999')).toBe(999_999_999_999);
  });

  it.each([
    ['', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['   ', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['abc', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['.', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['1e3', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['1 000', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['1,0000', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['Infinity', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['0x10', 'Enter an amount in dollars, e.g. 25 or 12.50'],
    ['12,50', 'Use a dot for cents, e.g. 12.50'],
    ['0.0000001', 'At most 6 decimal places'],
    ['1.1234567', 'At most 6 decimal places'],
    ['-5', 'Must not be negative'],
    ['-$5', 'Must not be negative'],
    ['$-5', 'Must not be negative'],
    ['\u22125', 'Must not be negative'],
    ['1000000.000001', 'Must be at most $1,000,000'],
    ['99999999999999999999999', 'Must be at most $1,000,000'],
  ])('refuses %j: %s', (input, message) => {
    expect(messageOf(input)).toBe(message);
    expect(() => parseDollars(input)).toThrow(expect.objectContaining({ name: 'InvalidAmountError', message }));
  });

  it('says what went wrong in a typed error', () => {
    try {
      parseDollars('-1');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidAmountError);
      expect((error as InvalidAmountError).problem).toBe('negative');
    }
  });

  it('takes another ceiling when asked', () => {
    expect(parseDollars('10000', 10_000 * MICROS_PER_DOLLAR)).toBe(10_000_000_000);
    expect(() => parseDollars('10000.01', 10_000 * MICROS_PER_DOLLAR)).toThrow('Must be at most $10,000');
  });

  it('refuses anything but a string', () => {
    expect(messageOf(12.5)).toBe('Enter an amount in dollars, e.g. 25 or 12.50');
    expect(messageOf(null)).toBe('Enter an amount in dollars, e.g. 25 or 12.50');
  });
});

describe('optional amounts', () => {
  it.each(['', '  ', null, undefined])('reads %j as no limit', (input) => {
    expect(optionalDollarsSchema.parse(input)).toBeNull();
  });

  it('reads amounts and keeps the same messages', () => {
    expect(optionalDollarsSchema.parse('0')).toBe(0);
    expect(optionalDollarsSchema.parse('25')).toBe(25_000_000);
    const result = optionalDollarsSchema.safeParse('-1');
    expect(result.success ? undefined : result.error.issues[0]?.message).toBe('Must not be negative');
  });
});

describe('formatting for people', () => {
  it.each([
    [12_500_000, '$12.50'],
    [0, '$0.00'],
    [1, '$0.000001'],
    [123, '$0.000123'],
    [1_230_000, '$1.23'],
    [1_234_500, '$1.2345'],
    [-1_000_000, '-$1.00'],
    [-123, '-$0.000123'],
    [1_234_567_890_000, '$1,234,567.89'],
    [1_000_000_000_000, '$1,000,000.00'],
    [Number.MAX_SAFE_INTEGER, '$9,007,199,254.740991'],
  ])('%i micros is %s', (micros, text) => {
    expect(formatDollars(micros)).toBe(text);
  });

  it('rounds half away from zero when decimals are capped', () => {
    expect(formatDollars(1_234_567, { maxDecimals: 2 })).toBe('$1.23');
    expect(formatDollars(1_235_000, { maxDecimals: 2 })).toBe('$1.24');
    expect(formatDollars(-1_235_000, { maxDecimals: 2 })).toBe('-$1.24');
    expect(formatDollars(999_999, { maxDecimals: 2 })).toBe('$1.00');
    expect(formatDollars(2_500_000, { maxDecimals: 0 })).toBe('$3');
    expect(formatDollars(-4_000, { maxDecimals: 2 })).toBe('$0.00');
  });

  it('can leave out zero cents', () => {
    expect(formatDollars(25_000_000, { hideZeroCents: true })).toBe('$25');
    expect(formatDollars(25_500_000, { hideZeroCents: true })).toBe('$25.50');
  });

  it('refuses amounts that are not whole micros', () => {
    expect(() => formatDollars(1.5)).toThrow(RangeError);
    expect(() => formatDollars(Number.NaN)).toThrow(RangeError);
    expect(() => formatDollars(1, { maxDecimals: 7 })).toThrow(RangeError);
  });
});

describe('round trips', () => {
  // A fixed pseudo-random walk so failures reproduce.
  const samples = [0, 1, 9, 10, 999_999, 1_000_000, 1_000_001, 12_340_000, MAX_AMOUNT_MICROS];
  let seed = 42;
  for (let i = 0; i < 200; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    samples.push(seed % MAX_AMOUNT_MICROS, seed % 1_000);
  }

  it('microsToDollarString is exact and minimal', () => {
    expect(microsToDollarString(12_500_000)).toBe('12.5');
    expect(microsToDollarString(3_000_000)).toBe('3');
    expect(microsToDollarString(1)).toBe('0.000001');
    expect(microsToDollarString(-1_500_000)).toBe('-1.5');
    expect(microsToDollarString(1_000_000_000_000)).toBe('1000000');
  });

  it('parseDollars reads back microsToDollarString and formatDollars exactly', () => {
    for (const micros of samples) {
      expect(parseDollars(microsToDollarString(micros))).toBe(micros);
      expect(parseDollars(formatDollars(micros))).toBe(micros);
    }
  });
});

describe('cost of tokens', () => {
  it('charges exact amounts exactly', () => {
    expect(costMicros(1_000_000, 2_500_000)).toBe(2_500_000); // 1M tokens at $2.50/1M
    expect(costMicros(1_000, 2_500_000)).toBe(2_500);
    expect(costMicros(0, 2_500_000)).toBe(0);
    expect(costMicros(1_000, 0)).toBe(0);
  });

  it('rounds up to a whole micro-dollar, never down', () => {
    expect(costMicros(1, 150_000)).toBe(1); // $0.15/1M: one token costs 0.15 micros
    expect(costMicros(7, 150_000)).toBe(2); // 1.05 micros
    expect(costMicros(3, 333_333)).toBe(1); // 0.999999 micros
    expect(costMicros(1_000_001, 1_000_000)).toBe(1_000_001);
  });

  it('does not overflow at the largest sizes we allow', () => {
    // 10^9 tokens at $10,000/1M: the product is 10^19, past 2^53.
    expect(costMicros(1_000_000_000, 10_000 * MICROS_PER_DOLLAR)).toBe(10_000_000_000_000);
    expect(costMicros(999_999_999, 9_999_999_999)).toBe(9_999_999_989_001);
  });

  it('refuses counts and prices that are not whole and non-negative', () => {
    expect(() => costMicros(-1, 1)).toThrow(RangeError);
    expect(() => costMicros(1.5, 1)).toThrow(RangeError);
    expect(() => costMicros(1, -1)).toThrow(RangeError);
    expect(() => costMicros(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });
});
