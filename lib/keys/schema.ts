import { z } from 'zod';
import { PROVIDERS } from '@/lib/gateway/provider-names';
import { formatDollars } from '@/lib/money';
import { ipAllowlistEntrySchema } from '@/lib/net/ip';
import { rateOrderIssues, spendOrderIssues, type LimitOrderIssue } from './limit-order';

/**
 * What a key can be configured with — one set of rules for the management API (JSON,
 * snake_case, money in integer micro-dollars) and the dashboard forms (the same schema with the
 * money fields taken in dollars, see key-form-schema.ts). No server imports: forms reuse it.
 */

export const OPERATIONS = ['chat', 'completions', 'embeddings', 'responses'] as const;
export type Operation = (typeof OPERATIONS)[number];
/** The operations in words, for the key form and the models page. */
export const OPERATION_LABELS: Record<Operation, string> = { chat: 'Chat', completions: 'Completions', embeddings: 'Embeddings', responses: 'Responses' };

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

const MAX_REQUESTS_TEXT = MAX_REQUESTS.toLocaleString('en-US');

// The maximum is checked before wholeness: zod's int() also refuses numbers past 2^53, and
// 99999999999999999999 is a whole number, just too large. A number too large for a double
// (Infinity, from "1e400") is not a number to zod at all: its type error says the same.
const numberError = (max: string, otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === Infinity ? `Must be at most ${max}` : otherwise;

/** Requests per window; null = no limit. Shared with proxy links' limits. */
export const requestLimit = z
  .number({ error: numberError(MAX_REQUESTS_TEXT, 'Must be a whole number of requests, or null for no limit') })
  .max(MAX_REQUESTS, `Must be at most ${MAX_REQUESTS_TEXT}`)
  .int('Must be a whole number of requests')
  .positive('Must be at least 1 (use null for no limit)')
  .nullable();

const MAX_SPEND_TEXT = `${MAX_SPEND_LIMIT_MICROS} micro-dollars (${formatDollars(MAX_SPEND_LIMIT_MICROS, { hideZeroCents: true })})`;

export const spendLimitMicros = z
  .number({ error: numberError(MAX_SPEND_TEXT, 'Must be an amount in micro-dollars (integer), or null for no limit') })
  .max(MAX_SPEND_LIMIT_MICROS, `Must be at most ${MAX_SPEND_TEXT}`)
  .int('Must be a whole number of micro-dollars (1 USD = 1000000)')
  .min(0, 'Must not be negative')
  .nullable();

/**
 * The window-order rule (limit-order.ts) as a zod check, run once every limit in the object is
 * valid on its own: comparing with a refused -5 or 1e20 would only add noise.
 */
export const limitOrderCheck = <T>(issuesOf: (value: T) => LimitOrderIssue[]) =>
  z.superRefine<T>(
    (value, ctx) => {
      for (const issue of issuesOf(value)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    },
    { when: (payload) => payload.issues.length === 0 },
  );

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

// A shorter window's limit above a longer one's is refused (limit-order.ts).
export const rateLimitsSchema = z
  .strictObject({ per_minute: requestLimit, per_hour: requestLimit, per_day: requestLimit })
  .partial()
  .check(limitOrderCheck(rateOrderIssues));

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
    spending_limits: z
      .strictObject({ day: money, week: money, month: money })
      .partial()
      .check(limitOrderCheck(spendOrderIssues)),
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
