import { z } from 'zod';
import { cleanText, isCleanText } from './clean-text';

/**
 * One usage record per gateway or proxy request, allowed or refused: what the gateway puts on
 * the queue (lib/usage/queue.ts) and the drain validates before inserting (lib/usage/drain.ts).
 * Every bound below mirrors a PostgreSQL column limit: a record that passes this schema always
 * inserts, so one bad record can never fail a whole batch and stall the queue. (Should one fail
 * all the same, the drain isolates it into the dead-letter list: lib/usage/store.ts.)
 */

const INT4_MAX = 2_147_483_647;
/**
 * The end of year 9999: past it toISOString() writes a six-digit year ("+010000-…"), which the
 * drain sends and PostgreSQL refuses (22009) — though timestamptz itself goes further.
 */
const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The most UTF-16 units each text field keeps. `model` and `endUser` come from the client's
 * request body (a request naming an unknown model is recorded too), `errorCode` may be an
 * upstream's; the rest are Conduit's own ids and names. All stay far below a btree key's limit
 * (~2.7 kB), which the rollups' primary keys (model, end user) are subject to.
 */
export const TEXT_BOUNDS = {
  userId: 200,
  keyId: 200,
  linkId: 200,
  model: 200,
  provider: 100,
  operation: 100,
  errorCode: 100,
  /** The request's `user` (the API accepts ≤ 256) or a link JWT's user id (≤ 256 too). */
  endUser: 256,
} as const;
type TextField = keyof typeof TEXT_BOUNDS;
const TEXT_FIELDS = Object.keys(TEXT_BOUNDS) as TextField[];

const count = z.number().int().min(0).max(INT4_MAX);
// Records queued by older instances (or a producer that skipped cleanRecord) are cleaned here too.
const cleaned = (field: TextField) => z.string().transform((value) => cleanText(value, TEXT_BOUNDS[field]));
const text = (field: TextField) => cleaned(field).nullable();

/**
 * The upstream attempts of a request that made more than one (retries, fallback models:
 * lib/gateway/attempts.ts), in order; the last is the one the client got. 5 models × 4 tries
 * each at most today; the gateway keeps the last MAX_ATTEMPTS should that ever grow.
 */
export const MAX_ATTEMPTS = 20;
const attemptSchema = z.object({
  model: cleaned('model'),
  provider: cleaned('provider'),
  /** The provider's HTTP status; null when none came (timeout, no connection). */
  status: z.number().int().min(100).max(599).nullable(),
  /** Conduit's code for a failed attempt; null for the answer. */
  errorCode: text('errorCode'),
  latencyMs: count,
});
export type UsageAttempt = z.input<typeof attemptSchema>;

export const usageRecordSchema = z.object({
  /** The gateway's request id: the idempotency key all the way to the usage_records row. */
  requestId: z
    .string()
    .min(1)
    .max(200)
    // Never rewritten: two different ids cleaned into one would lose a record as a "duplicate".
    .refine((id) => isCleanText(id, 200), 'must be well-formed text without NUL'),
  userId: text('userId'),
  keyId: text('keyId'),
  linkId: text('linkId'),
  model: text('model'),
  provider: text('provider'),
  operation: text('operation'),
  /** The HTTP status returned to the client. */
  status: z.number().int().min(100).max(599),
  errorCode: text('errorCode'),
  inputTokens: count,
  cachedInputTokens: count,
  outputTokens: count,
  /** Micros charged; 0 for refused requests. */
  costMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  latencyMs: count,
  ttftMs: count.nullable(),
  endUser: text('endUser'),
  stream: z.boolean(),
  /** Body bytes forwarded each way; defaults keep records queued by older instances valid. */
  requestBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  responseBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  /** Null for a request that made one attempt or none; defaults keep older instances' records valid. */
  attempts: z.array(attemptSchema).max(MAX_ATTEMPTS).nullable().default(null),
  /** When the request arrived, epoch milliseconds. */
  createdAt: z.number().int().min(0).max(MAX_EPOCH_MS),
});

export type UsageRecord = z.infer<typeof usageRecordSchema>;

/**
 * `record` with every text field as the schema would leave it; the record itself when nothing
 * needs cleaning (nearly always — the gateway calls this once per request, so no copy then).
 */
export function cleanRecord(record: UsageRecord): UsageRecord {
  let cleaned: UsageRecord | undefined;
  for (const field of TEXT_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string' || isCleanText(value, TEXT_BOUNDS[field])) continue;
    cleaned ??= { ...record };
    cleaned[field] = cleanText(value, TEXT_BOUNDS[field]);
  }
  return cleaned ?? record;
}
