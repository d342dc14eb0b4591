import { z } from 'zod';
import { AMOUNT_HINT, formatDollars, MICROS_PER_DOLLAR, safeParseDollars, type Micros } from '@/lib/money';

/**
 * How much credit can be bought at once. Pure: the billing form uses it on the client too.
 * The minimum keeps Stripe's fixed fee from eating the purchase; the maximum is a typo guard.
 */
export const MIN_TOP_UP_MICROS: Micros = 5 * MICROS_PER_DOLLAR;
export const MAX_TOP_UP_MICROS: Micros = 1_000 * MICROS_PER_DOLLAR;
export const PRESET_TOP_UPS_MICROS: readonly Micros[] = [10, 25, 50, 100].map((dollars) => dollars * MICROS_PER_DOLLAR);
/** Auto top-up fires when the balance falls below this; the bounds of what may be set. */
export const MIN_THRESHOLD_MICROS: Micros = 1 * MICROS_PER_DOLLAR;
export const MAX_THRESHOLD_MICROS: Micros = 1_000 * MICROS_PER_DOLLAR;
/** The dashboard warns under this balance (or under the auto top-up threshold when higher). */
export const LOW_BALANCE_MICROS: Micros = 1 * MICROS_PER_DOLLAR;

const bounds = (min: Micros, max: Micros) =>
  `Enter an amount between ${formatDollars(min, { hideZeroCents: true })} and ${formatDollars(max, { hideZeroCents: true })}`;

/** A dollar field bounded to [min, max] and to whole cents (what a card can be charged). */
export function boundedDollarsSchema(min: Micros, max: Micros) {
  return z.string({ error: AMOUNT_HINT }).transform((input, ctx): Micros => {
    const parsed = safeParseDollars(input);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.problem === 'too_large' ? bounds(min, max) : parsed.message });
      return z.NEVER;
    }
    if (parsed.value < min || parsed.value > max) {
      ctx.addIssue({ code: 'custom', message: bounds(min, max) });
      return z.NEVER;
    }
    if (parsed.value % 10_000 !== 0) {
      ctx.addIssue({ code: 'custom', message: 'Use whole cents, e.g. 12.50' });
      return z.NEVER;
    }
    return parsed.value;
  });
}

export const topUpAmountSchema = boundedDollarsSchema(MIN_TOP_UP_MICROS, MAX_TOP_UP_MICROS);

export const autoTopUpSettingsSchema = z.discriminatedUnion('enabled', [
  z.object({ enabled: z.literal('off') }),
  z.object({
    enabled: z.literal('on'),
    threshold: boundedDollarsSchema(MIN_THRESHOLD_MICROS, MAX_THRESHOLD_MICROS),
    amount: topUpAmountSchema,
  }),
]);
