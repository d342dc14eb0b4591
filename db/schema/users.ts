import type { AdapterAccountType } from 'next-auth/adapters';
import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * People who sign in. Column keys follow what @auth/drizzle-adapter expects (it reads the table
 * objects by property name), so GitHub sign-ins land in the same table as email + password ones.
 */
export const users = pgTable('users', {
  id: text('id')
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text('name'),
  /** Always stored lower-cased and trimmed (see lib/auth/credentials-schema.ts). */
  email: text('email').notNull().unique(),
  emailVerified: timestamp('email_verified', { withTimezone: true, mode: 'date' }),
  image: text('image'),
  /** argon2id PHC string; null for accounts that only sign in through OAuth. */
  passwordHash: text('password_hash'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Sessions signed in before this instant are refused (set when the password changes). */
  sessionsValidFrom: timestamp('sessions_valid_from', { withTimezone: true, mode: 'date' }),
});

/** OAuth identities linked to a user (one row per provider account). */
export const accounts = pgTable(
  'accounts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').$type<AdapterAccountType>().notNull(),
    provider: text('provider').notNull(),
    providerAccountId: text('provider_account_id').notNull(),
    refresh_token: text('refresh_token'),
    access_token: text('access_token'),
    expires_at: integer('expires_at'),
    token_type: text('token_type'),
    scope: text('scope'),
    id_token: text('id_token'),
    session_state: text('session_state'),
  },
  (account) => [primaryKey({ columns: [account.provider, account.providerAccountId] })],
);

/**
 * Sessions ended by logging out (lib/auth/session.ts). Sessions are JWTs, valid until they expire
 * wherever a copy of the cookie is; each carries a random id (`sid`), and one listed here is
 * refused. A row is kept until its session could no longer be valid anyway (sign-in + the
 * sessions' maximum age), then deleted.
 */
export const revokedSessions = pgTable(
  'revoked_sessions',
  {
    sid: text('sid').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (row) => [index('revoked_sessions_expires_idx').on(row.expiresAt)],
);

export type User = typeof users.$inferSelect;
