import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { organizations } from './organizations';
import { users } from './users';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

/**
 * Conduit API keys ("virtual keys"). Only the SHA-256 of the secret is stored, with its first
 * characters for people to recognise it. Money columns are integer micro-dollars; null = none.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    hash: text('hash').notNull().unique(),
    start: text('start').notNull(),
    allowedModels: text('allowed_models').array().notNull().default(sql`'{}'::text[]`),
    allowedOperations: text('allowed_operations').array().notNull().default(sql`'{}'::text[]`),
    /** Providers whose models the key may use (openai, anthropic, echo); empty = all. */
    allowedProviders: text('allowed_providers').array().notNull().default(sql`'{}'::text[]`),
    ipAllowlist: text('ip_allowlist').array().notNull().default(sql`'{}'::text[]`),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    rateLimitPerHour: integer('rate_limit_per_hour'),
    rateLimitPerDay: integer('rate_limit_per_day'),
    spendLimitDay: bigint('spend_limit_day', { mode: 'number' }),
    spendLimitWeek: bigint('spend_limit_week', { mode: 'number' }),
    spendLimitMonth: bigint('spend_limit_month', { mode: 'number' }),
    enabled: boolean('enabled').notNull().default(true),
    ...timestamps,
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    /** Deleted keys stay as rows so usage history keeps its key; they never verify again. */
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (key) => [index('api_keys_user_idx').on(key.userId, key.createdAt)],
);

/** Who changed what on a key, and when (shown on the key's page). */
export const apiKeyEvents = pgTable(
  'api_key_events',
  {
    id: text('id').primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    /** The person, also when they acted through a management token. */
    actorUserId: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** Set when the change came through the management API. */
    actorTokenId: text('actor_token_id'),
    action: text('action').$type<KeyAction>().notNull(),
    /** For updates: { field: { from, to } }. */
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>(),
    // clock_timestamp(), not now(): events are listed newest first, and now() is the
    // transaction's start, which can tie for changes made in quick succession.
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`clock_timestamp()`),
  },
  (event) => [index('api_key_events_key_idx').on(event.keyId, event.createdAt)],
);

export type KeyAction = 'created' | 'updated' | 'regenerated' | 'disabled' | 'enabled' | 'deleted';

/** Tokens for the management API (/api/v1/*) of one organization; stored hashed, shown once, revocable. */
export const managementTokens = pgTable(
  'management_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The member who made it: the token acts with that member's current role, and ends when they leave. */
    createdBy: text('created_by')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    hash: text('hash').notNull().unique(),
    start: text('start').notNull(),
    ...timestamps,
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (token) => [index('management_tokens_user_idx').on(token.userId)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyEventRow = typeof apiKeyEvents.$inferSelect;
export type ManagementTokenRow = typeof managementTokens.$inferSelect;
