import 'server-only';
import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { autoTopUps, billingAccounts, creditLedger, stripeEvents, type AutoTopUp, type BillingAccount } from '../schema';

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

export async function setPaymentMethod(db: Database, userId: string, paymentMethodId: string): Promise<void> {
  await db.update(billingAccounts).set({ paymentMethodId }).where(eq(billingAccounts.userId, userId));
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

/** The account's ledger, newest first, for the billing page. */
export async function ledgerHistory(db: Database, userId: string, limit = 50) {
  return db
    .select({
      id: creditLedger.id,
      kind: creditLedger.kind,
      amountMicros: creditLedger.amountMicros,
      reference: creditLedger.reference,
      receiptUrl: creditLedger.receiptUrl,
      createdAt: creditLedger.createdAt,
    })
    .from(creditLedger)
    .where(eq(creditLedger.userId, userId))
    .orderBy(desc(creditLedger.createdAt), desc(creditLedger.id))
    .limit(limit);
}
