import 'server-only';
import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { alertSettings, apiKeys, creditLedger, notifications, type AlertSettingsRow, type NotificationRow } from '../schema';
import { rowsOf } from './usage-analytics';

/** What the alert evaluation (lib/alerts/evaluate.ts) reads and writes. */

export interface WindowStarts {
  day: Date;
  week: Date;
  month: Date;
}
export type WindowSums = Record<keyof WindowStarts, number>;

const since = (starts: WindowStarts) => new Date(Math.min(starts.week.getTime(), starts.month.getTime()));

/** Spend per key in the current day / week / month, from the hourly rollups (windows are whole UTC hours). */
export async function keyWindowSpend(db: Database, keyIds: readonly string[], starts: WindowStarts): Promise<Map<string, WindowSums>> {
  if (keyIds.length === 0) return new Map();
  const result = await db.execute(sql`
    select key_id as id,
      coalesce(sum(cost_micros) filter (where hour >= ${starts.day.toISOString()}::timestamptz), 0)::float8 as day,
      coalesce(sum(cost_micros) filter (where hour >= ${starts.week.toISOString()}::timestamptz), 0)::float8 as week,
      coalesce(sum(cost_micros) filter (where hour >= ${starts.month.toISOString()}::timestamptz), 0)::float8 as month
    from usage_hourly
    where key_id in (${sql.join(keyIds.map((id) => sql`${id}`), sql`, `)}) and hour >= ${since(starts).toISOString()}::timestamptz
    group by key_id`);
  return sums(result);
}

/** The same per account, all keys and links together. */
export async function accountWindowSpend(db: Database, userIds: readonly string[], starts: WindowStarts): Promise<Map<string, WindowSums>> {
  if (userIds.length === 0) return new Map();
  const result = await db.execute(sql`
    select user_id as id,
      coalesce(sum(cost_micros) filter (where hour >= ${starts.day.toISOString()}::timestamptz), 0)::float8 as day,
      coalesce(sum(cost_micros) filter (where hour >= ${starts.week.toISOString()}::timestamptz), 0)::float8 as week,
      coalesce(sum(cost_micros) filter (where hour >= ${starts.month.toISOString()}::timestamptz), 0)::float8 as month
    from usage_hourly
    where user_id in (${sql.join(userIds.map((id) => sql`${id}`), sql`, `)}) and hour >= ${since(starts).toISOString()}::timestamptz
    group by user_id`);
  return sums(result);
}

function sums(result: unknown): Map<string, WindowSums> {
  return new Map(
    rowsOf<{ id: string; day: number; week: number; month: number }>(result).map((r) => [r.id, { day: Number(r.day), week: Number(r.week), month: Number(r.month) }]),
  );
}

export function keyLimits(db: Database, keyIds: readonly string[]) {
  if (keyIds.length === 0) return Promise.resolve([]);
  return db
    .select({
      id: apiKeys.id,
      userId: apiKeys.userId,
      name: apiKeys.name,
      day: apiKeys.spendLimitDay,
      week: apiKeys.spendLimitWeek,
      month: apiKeys.spendLimitMonth,
    })
    .from(apiKeys)
    .where(inArray(apiKeys.id, [...keyIds]));
}

export async function settingsOf(db: Database, userIds: readonly string[]): Promise<Map<string, AlertSettingsRow>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.select().from(alertSettings).where(inArray(alertSettings.userId, [...userIds]));
  return new Map(rows.map((row) => [row.userId, row]));
}

/** Balance per account from the ledger, and when credit was last added (a top-up re-arms the alert). */
export async function creditState(db: Database, userIds: readonly string[]): Promise<Map<string, { balance: number; lastTopUp: Date }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .select({
      userId: creditLedger.userId,
      balance: sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)::float8`.mapWith(Number),
      lastTopUp: sql<string | Date | null>`max(${creditLedger.createdAt}) filter (where ${ne(creditLedger.kind, 'usage')} and ${creditLedger.amountMicros} > 0)`,
    })
    .from(creditLedger)
    .where(inArray(creditLedger.userId, [...userIds]))
    .groupBy(creditLedger.userId);
  return new Map(rows.map((r) => [r.userId, { balance: r.balance, lastTopUp: r.lastTopUp ? new Date(r.lastTopUp) : new Date(0) }]));
}

/** Inserts the notifications that have not fired yet in their window; returns only those. */
export async function insertNotifications(db: Database, rows: (typeof notifications.$inferInsert)[]): Promise<NotificationRow[]> {
  if (rows.length === 0) return [];
  return db
    .insert(notifications)
    .values(rows)
    .onConflictDoNothing({ target: [notifications.subject, notifications.window, notifications.windowStart, notifications.threshold] })
    .returning();
}

export async function setWebhookStatus(db: Database, ids: readonly string[], status: string): Promise<void> {
  if (ids.length > 0) await db.update(notifications).set({ webhookStatus: status }).where(inArray(notifications.id, [...ids]));
}

/**
 * Newest first. Alerts of one drain batch share their created_at (one INSERT), and their random
 * ids put them in no order (80 %, 50 %, 100 %): within a batch, each subject's windows day, week,
 * month, and in each the highest threshold first — the one crossed last.
 */
export function listNotifications(db: Database, userId: string, limit = 50) {
  return db
    .select()
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(
      desc(notifications.createdAt),
      asc(notifications.subject),
      sql`case ${notifications.window} when 'day' then 0 when 'week' then 1 when 'month' then 2 else 3 end`,
      desc(notifications.threshold),
      desc(notifications.id),
    )
    .limit(limit);
}

export async function unreadCount(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`.mapWith(Number) })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.read, false)));
  return row?.n ?? 0;
}

export async function markAllRead(db: Database, userId: string): Promise<void> {
  await db.update(notifications).set({ read: true }).where(and(eq(notifications.userId, userId), eq(notifications.read, false)));
}
