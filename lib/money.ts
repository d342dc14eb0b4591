import { z } from 'zod';

/**
 * The one money type of Conduit: integer micro-dollars (1 USD = 1_000_000). Balances, prices,
 * costs and limits are all Micros, so sums never drift the way 0.1 + 0.2 does in floating point.
 * Dollars exist only at the edges: parsed from what people type, formatted for what they read.
 * Pure and dependency-free apart from zod: client components import it for forms and display.
 */

/**
 * A safe integer count of micro-dollars. Number.MAX_SAFE_INTEGER micros is about $9 billion,
 * far beyond any balance or limit we store, so plain numbers (not BigInt) are exact here.
 */
export type Micros = number;

export const MICROS_PER_DOLLAR = 1_000_000;
const DECIMALS = 6;

/** $1,000,000: the default ceiling for amounts people type — a typo guard, not a business rule. */
export const MAX_AMOUNT_MICROS: Micros = 1_000_000 * MICROS_PER_DOLLAR;

export const AMOUNT_HINT = 'Enter an amount in dollars, e.g. 25 or 12.50';

export type AmountProblem = 'format' | 'precision' | 'negative' | 'too_large';
export type AmountResult = { ok: true; value: Micros } | { ok: false; problem: AmountProblem; message: string };

export class InvalidAmountError extends Error {
  override name = 'InvalidAmountError';
  constructor(
    readonly problem: AmountProblem,
    message: string,
  ) {
    super(message);
  }
}

// Plain digits, or US thousands groups ("1,000,000"); then an optional fraction. Commas must
// group exactly three digits so "12,50" (a European 12.50) is refused rather than read as 1250.
const AMOUNT = /^(?:(\d{1,3}(?:,\d{3})+)|(\d*))(?:\.(\d*))?$/;
const MINUS = /^[-\u2212]\s*/;

/** Parses a human dollar amount into exact micros without ever touching floating point. */
export function safeParseDollars(input: string, max: Micros = MAX_AMOUNT_MICROS): AmountResult {
  assertMicros(max);
  let text = input.trim();
  // "-5", "-$5" and "$-5" are all negative; detect the sign wherever people put it.
  let negative = MINUS.test(text);
  text = text.replace(MINUS, '').replace(/^\$\s*/, '');
  if (!negative && MINUS.test(text)) negative = true;
  text = text.replace(MINUS, '');

  const match = AMOUNT.exec(text);
  const whole = (match?.[1] ?? match?.[2] ?? '').replaceAll(',', '');
  const fraction = (match?.[3] ?? '').replace(/0+$/, ''); // "1.5000000" is exactly 1.5
  if (!match || (whole === '' && (match[3] ?? '') === '')) {
    const hint = /^\d+,\d{1,2}$/.test(text) ? 'Use a dot for cents, e.g. 12.50' : AMOUNT_HINT;
    return { ok: false, problem: 'format', message: hint };
  }
  if (negative) return { ok: false, problem: 'negative', message: 'Must not be negative' };
  if (fraction.length > DECIMALS) {
    return { ok: false, problem: 'precision', message: `At most ${DECIMALS} decimal places` };
  }

  // BigInt so that absurdly long inputs are compared with the maximum exactly, never rounded.
  const micros = BigInt(whole || '0') * BigInt(MICROS_PER_DOLLAR) + BigInt(fraction.padEnd(DECIMALS, '0'));
  if (micros > BigInt(max)) {
    return { ok: false, problem: 'too_large', message: `Must be at most ${formatDollars(max, { hideZeroCents: true })}` };
  }
  return { ok: true, value: Number(micros) };
}

/** For trusted input (constants, config, tests); user input goes through dollarsSchema instead. */
export function parseDollars(input: string, max: Micros = MAX_AMOUNT_MICROS): Micros {
  const result = safeParseDollars(input, max);
  if (!result.ok) throw new InvalidAmountError(result.problem, result.message);
  return result.value;
}

/** A form or API field in dollars ("12.50") → Micros, with messages fit to show next to it. */
export const dollarsSchema = z.string({ error: AMOUNT_HINT }).transform((input, ctx): Micros => {
  const result = safeParseDollars(input);
  if (result.ok) return result.value;
  ctx.addIssue({ code: 'custom', message: result.message });
  return z.NEVER;
});

/** Like dollarsSchema, but a blank field (or null/undefined) means null: "no limit". */
export const optionalDollarsSchema = z
  .string({ error: AMOUNT_HINT })
  .nullish()
  .transform((input, ctx): Micros | null => {
    if (input == null || input.trim() === '') return null;
    const result = safeParseDollars(input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message });
    return z.NEVER;
  });

function assertMicros(micros: Micros): void {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`Not a whole number of micro-dollars: ${micros}`);
}

// `%` and division by an exact divisor are exact on safe integers; `Math.floor(m / 1e6)` is not
// (near $9 billion the quotient can round up to the next whole dollar).
function split(absMicros: number): { dollars: number; fraction: string } {
  const rest = absMicros % MICROS_PER_DOLLAR;
  return { dollars: (absMicros - rest) / MICROS_PER_DOLLAR, fraction: String(rest).padStart(DECIMALS, '0') };
}

/** The exact, minimal decimal string ("12.5", "0.000001", "3") that parseDollars reads back as-is. */
export function microsToDollarString(micros: Micros): string {
  assertMicros(micros);
  const { dollars, fraction } = split(Math.abs(micros));
  const digits = fraction.replace(/0+$/, '');
  return `${micros < 0 ? '-' : ''}${dollars}${digits ? `.${digits}` : ''}`;
}

export interface FormatDollarsOptions {
  /** Round (half away from zero) to at most this many decimals, 0–6. Default 6: exact. */
  maxDecimals?: number;
  /** Write whole amounts without cents: "$25" rather than "$25.00". */
  hideZeroCents?: boolean;
}

/**
 * For people: "$1,234.50", "-$1.00", and tiny usage costs in full ("$0.000123") — at least two
 * decimals, more only when the amount needs them, so fractions of a cent are never hidden.
 */
export function formatDollars(micros: Micros, opts: FormatDollarsOptions = {}): string {
  assertMicros(micros);
  const maxDecimals = opts.maxDecimals ?? DECIMALS;
  if (!Number.isInteger(maxDecimals) || maxDecimals < 0 || maxDecimals > DECIMALS) {
    throw new RangeError(`maxDecimals must be 0–${DECIMALS}, got ${maxDecimals}`);
  }
  const unit = 10 ** (DECIMALS - maxDecimals);
  const abs = Math.abs(micros);
  const rest = abs % unit;
  const rounded = abs - rest + (rest * 2 >= unit ? unit : 0);

  const { dollars, fraction } = split(rounded);
  const significant = fraction.slice(0, maxDecimals).replace(/0+$/, '');
  const minDecimals = opts.hideZeroCents && significant === '' ? 0 : Math.min(2, maxDecimals);
  const decimals = fraction.slice(0, Math.max(significant.length, minDecimals));
  const grouped = String(dollars).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // Only a non-zero result gets a sign: -$0.000001 shown to cents is "$0.00", not "-$0.00".
  return `${micros < 0 && rounded > 0 ? '-' : ''}$${grouped}${decimals ? `.${decimals}` : ''}`;
}

const TOKENS_PER_PRICE_UNIT = 1_000_000n;

/**
 * What `tokens` cost at a price per million tokens (itself in micros, $2.50/1M = 2_500_000),
 * rounded UP to a whole micro-dollar: we may over-charge by under a millionth of a dollar, never
 * under-charge. BigInt because tokens × price overflows 2^53 (10^9 tokens × $10,000/1M = 10^19).
 */
export function costMicros(tokens: number, pricePerMillionMicros: Micros): Micros {
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError(`Not a token count: ${tokens}`);
  if (!Number.isSafeInteger(pricePerMillionMicros) || pricePerMillionMicros < 0) {
    throw new RangeError(`Not a price in micro-dollars: ${pricePerMillionMicros}`);
  }
  const product = BigInt(tokens) * BigInt(pricePerMillionMicros);
  const cost = (product + TOKENS_PER_PRICE_UNIT - 1n) / TOKENS_PER_PRICE_UNIT;
  if (cost > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('Cost exceeds the safe range of Micros');
  return Number(cost);
}
