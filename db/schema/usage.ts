import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { UsageAttempt } from '../../lib/usage/record';
import { organizations } from './organizations';

/**
 * One row per `/v1` (or proxy) request, allowed or refused, written by the usage drain
 * (lib/usage/drain.ts) from the Redis queue. `request_id` is the primary key because delivery
 * is at-least-once: a redelivered record conflicts and is skipped, so each request lands once.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    requestId: text('request_id').primaryKey(),
    /** Null for refused requests whose key matched no account. */
    userId: text('user_id').references(() => organizations.id, { onDelete: 'cascade' }),
    /** No foreign key: history outlives keys (which are only soft-deleted anyway). */
    keyId: text('key_id'),
    /** The proxy link the request came through, if any. */
    linkId: text('link_id'),
    model: text('model'),
    provider: text('provider'),
    operation: text('operation'),
    /** The HTTP status the client got. */
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    inputTokens: integer('input_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    /** Micros charged for the request (0 when refused). */
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull().default(0),
    latencyMs: integer('latency_ms').notNull(),
    /** Time to first token of a streamed response. */
    ttftMs: integer('ttft_ms'),
    /** The request's `user` field, or the end user named in a proxy link's JWT. */
    endUser: text('end_user'),
    stream: boolean('stream').notNull(),
    /** Body sizes as forwarded (proxy links report traffic as well as tokens). */
    requestBytes: bigint('request_bytes', { mode: 'number' }).notNull().default(0),
    responseBytes: bigint('response_bytes', { mode: 'number' }).notNull().default(0),
    /**
     * The upstream attempts of a request that made more than one (retries and fallback models, in
     * order, the last the one the client got); null for one attempt or none.
     */
    attempts: jsonb('attempts').$type<UsageAttempt[]>(),
    /** When the request happened (from the record), not when the drain inserted it. */
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (usage) => [
    index('usage_records_user_idx').on(usage.userId, usage.createdAt),
    index('usage_records_key_idx').on(usage.keyId, usage.createdAt),
    index('usage_records_link_idx').on(usage.linkId, usage.createdAt),
    // Retention (lib/usage/retention.ts) deletes the oldest rows of every account in batches.
    index('usage_records_created_idx').on(usage.createdAt),
  ],
);

export type UsageRow = typeof usageRecords.$inferSelect;
export type NewUsageRow = typeof usageRecords.$inferInsert;
