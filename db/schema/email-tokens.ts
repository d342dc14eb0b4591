import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

export const EMAIL_TOKEN_PURPOSES = ['reset_password', 'verify_email', 'change_email'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

/**
 * Single-use tokens sent by email (lib/auth/email-tokens.ts): a password reset, an address to
 * verify, a new address to confirm. Only the sha256 of the token is stored, so a copy of this
 * table (a backup, a read replica) lets nobody reset a password. A token is used by deleting its
 * row (DELETE … RETURNING), which only one request can do.
 */
export const emailTokens = pgTable(
  'email_tokens',
  {
    /** base64url sha256 of the token sent. */
    hash: text('hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose').$type<EmailTokenPurpose>().notNull(),
    /** The address the token was sent to: a verification is for that address only; for change_email, the new one. */
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (row) => [index('email_tokens_user_idx').on(row.userId, row.purpose), index('email_tokens_expires_idx').on(row.expiresAt)],
);

export type EmailTokenRow = typeof emailTokens.$inferSelect;
