import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { organizations } from './organizations';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * An account's side of Stripe: its one customer, the card saved for automatic top-ups, and the
 * automatic top-up settings (micros; off by default). One row per account, created on first use.
 */
export const billingAccounts = pgTable('billing_accounts', {
  userId: text('user_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  /** Set once (UPDATE … WHERE stripe_customer_id IS NULL): two racing requests store one customer. */
  stripeCustomerId: text('stripe_customer_id').unique(),
  /** The payment method saved by the last Checkout (setup_future_usage = off_session). */
  paymentMethodId: text('payment_method_id'),
  autoTopUpEnabled: boolean('auto_top_up_enabled').notNull().default(false),
  autoTopUpThresholdMicros: bigint('auto_top_up_threshold_micros', { mode: 'number' }),
  autoTopUpAmountMicros: bigint('auto_top_up_amount_micros', { mode: 'number' }),
  /** When the settings last changed: a failed attempt after this stops retries until they change again. */
  settingsUpdatedAt: at('settings_updated_at').notNull().defaultNow(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const AUTO_TOP_UP_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type AutoTopUpStatus = (typeof AUTO_TOP_UP_STATUSES)[number];

/**
 * Automatic top-up attempts. The partial unique index allows one 'pending' attempt per account:
 * however many drains notice a low balance at once, one INSERT wins and only it charges the card.
 */
export const autoTopUps = pgTable(
  'auto_top_ups',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    status: text('status').$type<AutoTopUpStatus>().notNull().default('pending'),
    amountMicros: bigint('amount_micros', { mode: 'number' }).notNull(),
    paymentIntentId: text('payment_intent_id').unique(),
    /** Stripe's message when the charge failed (shown on the billing page). */
    error: text('error'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (row) => [
    uniqueIndex('auto_top_ups_one_pending_idx').on(row.userId).where(sql`status = 'pending'`),
    index('auto_top_ups_user_idx').on(row.userId, row.createdAt),
    check('auto_top_ups_status_check', sql.raw(`status in (${AUTO_TOP_UP_STATUSES.map((s) => `'${s}'`).join(', ')})`)),
  ],
);

/**
 * Stripe events handled to the end, by event id: a redelivery is answered at once. Handlers are
 * idempotent on their own (by the payment, refund or dispute id), so a duplicate arriving while
 * the first is still running is harmless too — this table only saves the work.
 */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  processedAt: at('processed_at').notNull().defaultNow(),
});

export type BillingAccount = typeof billingAccounts.$inferSelect;
export type AutoTopUp = typeof autoTopUps.$inferSelect;
