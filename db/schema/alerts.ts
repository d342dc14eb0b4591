import { bigint, boolean, index, integer, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { organizations } from './organizations';

/**
 * An account's alert settings: where to send a signed copy of each notification (optional), the
 * credit level that warns, and optional account-wide spend budgets per UTC window (alert-only: the
 * gateway enforces limits per key). Money in micro-dollars; null = no such alert.
 */
export const alertSettings = pgTable('alert_settings', {
  userId: text('user_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  webhookUrl: text('webhook_url'),
  /** HMAC-SHA256 key for the webhook's signature; shown on the settings page to verify with. */
  webhookSecret: text('webhook_secret').notNull(),
  creditThresholdMicros: bigint('credit_threshold_micros', { mode: 'number' }),
  budgetDayMicros: bigint('budget_day_micros', { mode: 'number' }),
  budgetWeekMicros: bigint('budget_week_micros', { mode: 'number' }),
  budgetMonthMicros: bigint('budget_month_micros', { mode: 'number' }),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const ALERT_KINDS = ['spend', 'credit'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * In-app notifications, one per threshold crossed. UNIQUE (subject, window, window start,
 * threshold) is what makes "fires once per window" race-proof: concurrent drains that both see a
 * key at 80 % both INSERT … ON CONFLICT DO NOTHING, and only the one whose row lands notifies.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<AlertKind>().notNull(),
    /** `key:<id>` or `account:<userId>`. */
    subject: text('subject').notNull(),
    /** 'day' | 'week' | 'month' for spend; 'credit' for low credit. */
    window: text('window').notNull(),
    /** Spend: the window's start (UTC). Credit: the last top-up's time (a new top-up re-arms it). */
    windowStart: timestamp('window_start', { withTimezone: true, mode: 'date' }).notNull(),
    /** Percent of the limit (50, 80, 100); 0 for credit. */
    threshold: integer('threshold').notNull(),
    /** Spend in the window, or the credit balance, when it fired. */
    amountMicros: bigint('amount_micros', { mode: 'number' }).notNull(),
    /** The limit, budget or credit threshold it was measured against. */
    limitMicros: bigint('limit_micros', { mode: 'number' }).notNull(),
    message: text('message').notNull(),
    read: boolean('read').notNull().default(false),
    /** 'sent', 'failed: …', or null when the account has no webhook. */
    webhookStatus: text('webhook_status'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (row) => [
    unique('notifications_once_per_window').on(row.subject, row.window, row.windowStart, row.threshold),
    index('notifications_user_idx').on(row.userId, row.createdAt),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type AlertSettingsRow = typeof alertSettings.$inferSelect;
