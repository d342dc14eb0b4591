import 'server-only';
import { and, desc, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { autoTopUps, billingAccounts, creditLedger, stripeEvents, type AutoTopUp, type BillingAccount, type CreditKind } from '../schema';

export async function findBillingAccount(db: Database, userId: string): Promise<BillingAccount | undefined> {
  const [row] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, userId)).limit(1);
  return row;
}

/** The account's row, created on first use (concurrent callers all get the same row). */
export async function ensureBillingAccount(db: Database, userId: string): Promise<BillingAccount> {
  await db.insert(billingAccounts).values({ userId }).onConflictDoNothing({ target: billingAccounts.userId });
  const row = await findBillingAccount(db, userId);
  if (!row) throw new Error(`No billing account for ${userId} (was the user deleted?)`);
  return row;
}

/** Stores the customer unless one is stored already; returns the one that is stored. */
export async function setStripeCustomer(db: Database, userId: string, customerId: string): Promise<string> {
  await db
    .update(billingAccounts)
    .set({ stripeCustomerId: customerId })
    .where(and(eq(billingAccounts.userId, userId), isNull(billingAccounts.stripeCustomerId)));
  const row = await findBillingAccount(db, userId);
  if (!row?.stripeCustomerId) throw new Error(`Could not store the Stripe customer of ${userId}`);
  return row.stripeCustomerId;
}

export async function userIdByCustomer(db: Database, customerId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: billingAccounts.userId })
    .from(billingAccounts)
    .where(eq(billingAccounts.stripeCustomerId, customerId))
    .limit(1);
  return row?.userId;
}

/** Whose payment this was, from the purchase or top-up row it credited (reference = payment intent). */
export async function userIdByPaymentReference(db: Database, paymentIntentId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ userId: creditLedger.userId })
    .from(creditLedger)
    .where(and(eq(creditLedger.reference, paymentIntentId), inArray(creditLedger.kind, ['purchase', 'auto_top_up'])))
    .limit(1);
  return row?.userId;
}

/** A new card counts as a change of the settings: it lifts the pause after a failed top-up. */
/** The purchase or top-up row of a payment intent, if it was credited to this account. */
export async function creditedPayment(db: Database, userId: string, paymentIntentId: string): Promise<{ amountMicros: number } | undefined> {
  const [row] = await db
    .select({ amountMicros: creditLedger.amountMicros })
    .from(creditLedger)
    .where(and(eq(creditLedger.userId, userId), eq(creditLedger.reference, paymentIntentId), inArray(creditLedger.kind, ['purchase', 'auto_top_up'])))
    .limit(1);
  return row;
}

export async function setPaymentMethod(db: Database, userId: string, paymentMethodId: string): Promise<void> {
  await db
    .update(billingAccounts)
    .set({ paymentMethodId, settingsUpdatedAt: sql`now()` })
    .where(and(eq(billingAccounts.userId, userId), sql`${billingAccounts.paymentMethodId} is distinct from ${paymentMethodId}`));
}

export async function updateAutoTopUpSettings(
  db: Database,
  userId: string,
  settings: { enabled: boolean; thresholdMicros: number | null; amountMicros: number | null },
): Promise<void> {
  await db
    .update(billingAccounts)
    .set({
      autoTopUpEnabled: settings.enabled,
      autoTopUpThresholdMicros: settings.thresholdMicros,
      autoTopUpAmountMicros: settings.amountMicros,
      settingsUpdatedAt: sql`now()`,
    })
    .where(eq(billingAccounts.userId, userId));
}

/** Of these accounts, the ones with automatic top-up on. */
export async function autoTopUpAccounts(db: Database, userIds: string[]): Promise<BillingAccount[]> {
  if (userIds.length === 0) return [];
  return db
    .select()
    .from(billingAccounts)
    .where(and(inArray(billingAccounts.userId, userIds), eq(billingAccounts.autoTopUpEnabled, true)));
}

export async function latestAutoTopUp(db: Database, userId: string): Promise<AutoTopUp | undefined> {
  const [row] = await db.select().from(autoTopUps).where(eq(autoTopUps.userId, userId)).orderBy(desc(autoTopUps.createdAt)).limit(1);
  return row;
}

/** A pending attempt; false when one is pending already (the partial unique index decides). */
export async function insertPendingAutoTopUp(db: Database, attempt: { id: string; userId: string; amountMicros: number }): Promise<boolean> {
  const inserted = await db
    .insert(autoTopUps)
    .values({ ...attempt, status: 'pending' })
    .onConflictDoNothing({ target: autoTopUps.userId, where: sql`status = 'pending'` })
    .returning({ id: autoTopUps.id });
  return inserted.length > 0;
}

/** Removes a pending attempt that never reached Stripe (it turned out not to be needed). */
export async function dropPendingAutoTopUp(db: Database, id: string): Promise<void> {
  await db.delete(autoTopUps).where(and(eq(autoTopUps.id, id), eq(autoTopUps.status, 'pending')));
}

/** A pending attempt older than this was interrupted (its process died): it stops blocking. */
export async function failStalePendingAutoTopUps(db: Database, userId: string, olderThanSeconds: number): Promise<void> {
  await db
    .update(autoTopUps)
    .set({ status: 'failed', error: 'Interrupted before Stripe answered.', updatedAt: sql`now()` })
    .where(
      and(
        eq(autoTopUps.userId, userId),
        eq(autoTopUps.status, 'pending'),
        lt(autoTopUps.createdAt, sql`now() - make_interval(secs => ${olderThanSeconds}::double precision)`),
      ),
    );
}

export async function setAutoTopUpPaymentIntent(db: Database, id: string, paymentIntentId: string): Promise<void> {
  await db.update(autoTopUps).set({ paymentIntentId, updatedAt: sql`now()` }).where(eq(autoTopUps.id, id));
}

/** Money arrived: succeeded whatever was recorded before (a failure noted on a network error included). */
export async function markAutoTopUpSucceeded(db: Database, id: string, paymentIntentId: string): Promise<void> {
  await db
    .update(autoTopUps)
    .set({ status: 'succeeded', paymentIntentId, error: null, updatedAt: sql`now()` })
    .where(eq(autoTopUps.id, id));
}

/** A failure never overwrites a success (events can arrive in any order). */
export async function markAutoTopUpFailed(db: Database, id: string, error: string, paymentIntentId?: string): Promise<void> {
  await db
    .update(autoTopUps)
    .set({ status: 'failed', error, ...(paymentIntentId ? { paymentIntentId } : {}), updatedAt: sql`now()` })
    .where(and(eq(autoTopUps.id, id), sql`${autoTopUps.status} <> 'succeeded'`));
}

export async function stripeEventProcessed(db: Database, id: string): Promise<boolean> {
  const [row] = await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, id)).limit(1);
  return Boolean(row);
}

export async function recordStripeEvent(db: Database, id: string, type: string): Promise<void> {
  await db.insert(stripeEvents).values({ id, type }).onConflictDoNothing({ target: stripeEvents.id });
}

export interface HistoryEntry {
  id: string;
  kind: CreditKind;
  amountMicros: number;
  receiptUrl: string | null;
  createdAt: Date;
  /** Usage only: the UTC day its debits are summed over (the drain writes one row per batch). */
  day: string | null;
}

/**
 * The account's ledger for the billing page, newest first: every payment, refund, dispute, grant
 * and adjustment as it is, and usage summed per UTC day — the drain debits once per batch, which
 * under load is every second and would bury the payments.
 */
export async function ledgerHistory(db: Database, userId: string, limit = 50): Promise<HistoryEntry[]> {
  const day = sql<string>`to_char(${creditLedger.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const [entries, usage] = await Promise.all([
    db
      .select({
        id: creditLedger.id,
        kind: creditLedger.kind,
        amountMicros: creditLedger.amountMicros,
        receiptUrl: creditLedger.receiptUrl,
        createdAt: creditLedger.createdAt,
      })
      .from(creditLedger)
      .where(and(eq(creditLedger.userId, userId), ne(creditLedger.kind, 'usage')))
      .orderBy(desc(creditLedger.createdAt), desc(creditLedger.id))
      .limit(limit),
    db
      .select({
        day,
        amountMicros: sql<number>`sum(${creditLedger.amountMicros})::bigint`.mapWith(Number),
        lastAt: sql<number>`extract(epoch from max(${creditLedger.createdAt}))`.mapWith(Number),
      })
      .from(creditLedger)
      .where(and(eq(creditLedger.userId, userId), eq(creditLedger.kind, 'usage')))
      .groupBy(day)
      .orderBy(desc(day))
      .limit(limit),
  ]);
  const days: HistoryEntry[] = usage.map((row) => ({
    id: `usage-${row.day}`,
    kind: 'usage',
    amountMicros: row.amountMicros,
    receiptUrl: null,
    createdAt: new Date(row.lastAt * 1000),
    day: row.day,
  }));
  return [...entries.map((entry) => ({ ...entry, day: null })), ...days]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, limit);
}
