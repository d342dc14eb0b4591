import { z } from 'zod';

/**
 * One usage record per gateway or proxy request, allowed or refused: what the gateway puts on
 * the queue (lib/usage/queue.ts) and the drain validates before inserting (lib/usage/drain.ts).
 * Every bound below mirrors a PostgreSQL column limit: a record that passes this schema always
 * inserts, so one bad record can never fail a whole batch and stall the queue.
 */

const INT4_MAX = 2_147_483_647;
/** The latest instant a JS Date can hold (PostgreSQL's timestamptz goes further). */
const MAX_EPOCH_MS = 8_640_000_000_000_000;

const count = z.number().int().min(0).max(INT4_MAX);
// PostgreSQL text cannot hold NUL, and `endUser` comes straight from the client's request
// body: strip NULs rather than let one character make the whole batch fail.
const text = z.string().transform((value) => value.replaceAll('\u0000', ''));
const optionalText = text.nullable();

export const usageRecordSchema = z.object({
  /** The gateway's request id: the idempotency key all the way to the usage_records row. */
  requestId: z.string().min(1).max(200).regex(/^[^\u0000]+$/, 'must not contain NUL'),
  userId: optionalText,
  keyId: optionalText,
  linkId: optionalText,
  model: optionalText,
  provider: optionalText,
  operation: optionalText,
  /** The HTTP status returned to the client. */
  status: z.number().int().min(100).max(599),
  errorCode: optionalText,
  inputTokens: count,
  cachedInputTokens: count,
  outputTokens: count,
  /** Micros charged; 0 for refused requests. */
  costMicros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  latencyMs: count,
  ttftMs: count.nullable(),
  endUser: optionalText,
  stream: z.boolean(),
  /** Body bytes forwarded each way; defaults keep records queued by older instances valid. */
  requestBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  responseBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  /** When the request arrived, epoch milliseconds. */
  createdAt: z.number().int().min(0).max(MAX_EPOCH_MS),
});

export type UsageRecord = z.infer<typeof usageRecordSchema>;
