import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { organizations } from './organizations';

export const CREDIT_KINDS = ['trial_grant', 'purchase', 'auto_top_up', 'refund', 'dispute', 'adjustment', 'usage'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

/**
 * The prepaid credit ledger: the truth about every account's balance (its sum). Rows are only
 * ever inserted. Redis holds a hot copy the gateway reserves against (lib/billing/credit.ts).
 * UNIQUE (kind, reference) makes every grant idempotent: a replayed Stripe event, a retried
 * sign-up or a redelivered usage batch cannot credit or debit twice.
 */
export const creditLedger = pgTable(
  'credit_ledger',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<CreditKind>().notNull(),
    /** Micros: positive adds credit, negative removes it. */
    amountMicros: bigint('amount_micros', { mode: 'number' }).notNull(),
    /**
     * What caused the row: the Stripe object (payment intent for purchases and top-ups, refund,
     * dispute), the user id for the trial, a usage batch id.
     */
    reference: text('reference'),
    /** Stripe's receipt for a payment (the charge's receipt_url); null for anything else. */
    receiptUrl: text('receipt_url'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (entry) => [
    unique('credit_ledger_kind_reference_key').on(entry.kind, entry.reference),
    index('credit_ledger_user_idx').on(entry.userId, entry.createdAt),
    // A typo'd kind would silently escape every report that filters by kind.
    check('credit_ledger_kind_check', sql.raw(`kind in (${CREDIT_KINDS.map((kind) => `'${kind}'`).join(', ')})`)),
  ],
);

export type CreditLedgerRow = typeof creditLedger.$inferSelect;
