import { z } from 'zod';
import { PROVIDERS } from '@/lib/gateway/provider-names';
import { ipAllowlistEntrySchema } from '@/lib/net/ip';

/**
 * What a key can be configured with — one set of rules for the management API (JSON,
 * snake_case, money in integer micro-dollars) and the dashboard forms (the same schema with the
 * money fields taken in dollars, see key-form-schema.ts). No server imports: forms reuse it.
 */

export const OPERATIONS = ['chat', 'completions', 'embeddings', 'responses'] as const;
export type Operation = (typeof OPERATIONS)[number];

const MAX_REQUESTS = 10_000_000;
/** $1,000,000 in micro-dollars: a typo guard, far above any real limit. */
export const MAX_SPEND_LIMIT_MICROS = 1_000_000 * 1_000_000;

export const modelPatternSchema = z
  .string()
  .trim()
  .min(1, 'Model ids cannot be empty')
  .max(100, 'Model ids are at most 100 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]*\*?$/,
    'Use a model id like gpt-4o-mini or a prefix pattern like gpt-4o* (a * only at the end)',
  );

/** Requests per window; null = no limit. Shared with proxy links' limits. */
export const requestLimit = z
  .number({ error: 'Must be a whole number of requests, or null for no limit' })
  .int('Must be a whole number of requests')
  .positive('Must be at least 1 (use null for no limit)')
  .max(MAX_REQUESTS, `At most ${MAX_REQUESTS.toLocaleString('en-US')} requests`)
  .nullable();

export const spendLimitMicros = z
  .number({ error: 'Must be an amount in micro-dollars (integer), or null for no limit' })
  .int('Must be a whole number of micro-dollars (1 USD = 1000000)')
  .min(0, 'Must not be negative')
  .max(MAX_SPEND_LIMIT_MICROS, 'At most $1,000,000')
  .nullable();

const expiresAt = z.iso
  .datetime({ offset: true, error: 'Must be an ISO 8601 time, e.g. 2027-01-31T23:59:59Z' })
  .transform((value) => new Date(value))
  .refine((date) => date.getTime() > Date.now(), 'Must be in the future')
  .nullable();

const unique = <T extends z.ZodType<string>>(item: T, max: number, what: string) =>
  z
    .array(item)
    .max(max, `At most ${max} ${what}`)
    .transform((list) => [...new Set(list)]);

export const rateLimitsSchema = z.strictObject({ per_minute: requestLimit, per_hour: requestLimit, per_day: requestLimit }).partial();

function settingsSchema<M extends z.ZodType<number | null>>(money: M) {
  return z.strictObject({
    name: z.string().trim().min(1, 'Give the key a name').max(100, 'Names are at most 100 characters'),
    description: z.string().trim().max(500, 'Descriptions are at most 500 characters').nullable(),
    allowed_models: unique(modelPatternSchema, 100, 'model patterns'),
    allowed_operations: unique(
      z.enum(OPERATIONS, { error: `Unknown operation; use ${OPERATIONS.join(', ')}` }),
      OPERATIONS.length,
      'operations',
    ),
    // Restricts by provider on top of allowed_models: a model must pass both.
    allowed_providers: unique(
      z.enum(PROVIDERS, { error: `Unknown provider; use ${PROVIDERS.join(', ')}` }),
      PROVIDERS.length,
      'providers',
    ),
    ip_allowlist: unique(ipAllowlistEntrySchema, 100, 'IP ranges'),
    expires_at: expiresAt,
    rate_limits: rateLimitsSchema,
    spending_limits: z.strictObject({ day: money, week: money, month: money }).partial(),
  });
}

/** Builds the create and update schemas for a given way of writing money. */
export function keySchemas<M extends z.ZodType<number | null>>(money: M) {
  const settings = settingsSchema(money);
  return {
    create: settings.partial().required({ name: true }),
    update: settings.partial().refine((patch) => Object.keys(patch).length > 0, 'Nothing to update'),
  };
}

export const { create: keyCreateSchema, update: keyUpdateSchema } = keySchemas(spendLimitMicros);
export type KeyCreateInput = z.infer<typeof keyCreateSchema>;
export type KeyUpdateInput = z.infer<typeof keyUpdateSchema>;
