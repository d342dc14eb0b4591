import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogs } from '@/lib/observability/testing';
import { usageRecord } from '@/lib/usage/fixtures';
import { buyCredit, newAccount, startBilling } from './testing';

const billing = await startBilling({ trialUsd: 0, consumer: 'auto-top-up-test' });
const { services, stripe, queue } = billing;
const { runAutoTopUp } = await import('./auto-top-up');
const { saveAutoTopUpSettings } = await import('./overview');
const { personalActor } = await import('@/lib/orgs/actor');
const { creditBalanceKey, ledgerBalance, loadCreditBalance } = await import('./credit');
const { getDb } = await import('@/db');
const { findBillingAccount, updateAutoTopUpSettings } = await import('@/db/queries/billing');
const { autoTopUps, creditLedger } = await import('@/db/schema');
const { and, eq } = await import('drizzle-orm');
const { getRedis } = await import('@/lib/redis/client');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { enqueueUsage } = await import('@/lib/usage/queue');
afterAll(() => billing.close());

const DOLLAR = 1_000_000;
/** How the mock's decline (Stripe's insufficient-funds test card) is recorded and shown. */
const DECLINED = 'Your card has insufficient funds. Decline code: insufficient_funds.';

/** An account with a card saved by a $10 purchase, then `spent` of it used (debited live). */
async function accountWithCard(spent: number) {
  const user = await newAccount();
  await loadCreditBalance(user.id);
  await buyCredit(stripe, user, 10 * DOLLAR);
  await getRedis().decrby(creditBalanceKey(user.id), spent);
  return user;
}

const account = async (userId: string) => (await findBillingAccount(await getDb(), userId))!;
const attempts = async (userId: string) => (await getDb()).select().from(autoTopUps).where(eq(autoTopUps.userId, userId));
const topUpRows = async (userId: string) =>
  (await getDb()).select().from(creditLedger).where(and(eq(creditLedger.userId, userId), eq(creditLedger.kind, 'auto_top_up')));
const offSessionIntents = (userId: string) =>
  [...stripe.objects.values()].filter((o) => o.object === 'payment_intent' && (o.metadata as Record<string, string>).conduit_user_id === userId && (o.metadata as Record<string, string>).conduit_purpose === 'auto_top_up');

describe(`automatic top-up on ${services.label}`, () => {
  it('fires once under 10 concurrent triggers, credits once (response and webhook), with a receipt', async () => {
    const user = await accountWithCard(8 * DOLLAR); // $2 left
    // Saved directly: saving through the page would already trigger the first top-up.
    await updateAutoTopUpSettings(await getDb(), user.id, { enabled: true, thresholdMicros: 5 * DOLLAR, amountMicros: 20 * DOLLAR });
    const settings = await account(user.id);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => runAutoTopUp(settings)));
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(outcomes.every((o) => o === 'succeeded' || o === 'in_flight' || o === 'above_threshold')).toBe(true);
    await stripe.settled(); // payment_intent.succeeded arrives too
    expect(offSessionIntents(user.id)).toHaveLength(1);
    const rows = await topUpRows(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amountMicros: 20 * DOLLAR, reference: offSessionIntents(user.id)[0]!.id });
    expect(rows[0]!.receiptUrl).toContain('/receipts/');
    expect(await attempts(user.id)).toMatchObject([{ status: 'succeeded', amountMicros: 20 * DOLLAR }]);
    expect(await loadCreditBalance(user.id)).toBe(22 * DOLLAR);
    expect(await ledgerBalance(user.id)).toBe(30 * DOLLAR); // $8 of usage is not drained in this test
    // Above the threshold now: nothing more.
    expect(await runAutoTopUp(await account(user.id))).toBe('above_threshold');
  });

  it('a declined card is recorded with Stripe\'s reason and not retried until the settings change', async () => {
    const user = await accountWithCard(9 * DOLLAR);
    stripe.setDeclineOffSession(true);
    try {
      await saveAutoTopUpSettings(personalActor(user.id), { enabled: true, thresholdMicros: 5 * DOLLAR, amountMicros: 15 * DOLLAR });
      await stripe.settled(); // payment_intent.payment_failed
      expect(await attempts(user.id)).toMatchObject([{ status: 'failed', error: DECLINED, paymentIntentId: expect.stringMatching(/^pi_/) }]);
      expect(await runAutoTopUp(await account(user.id))).toBe('paused_after_failure');
      expect(await topUpRows(user.id)).toHaveLength(0);
    } finally {
      stripe.setDeclineOffSession(false);
    }
    // Saving the settings again lifts the pause.
    await saveAutoTopUpSettings(personalActor(user.id), { enabled: true, thresholdMicros: 5 * DOLLAR, amountMicros: 15 * DOLLAR });
    await stripe.settled();
    expect((await attempts(user.id)).map((a) => a.status).sort()).toEqual(['failed', 'succeeded']);
    expect(await loadCreditBalance(user.id)).toBe(16 * DOLLAR);
  });

  it('recognises a decline raised by another copy of the Stripe SDK (as in the production build): the card\'s reason and the payment intent, not "could not be reached", not logged', async () => {
    // The process's one client (stripe.ts keeps it on globalThis) made by a second copy of the
    // SDK: its errors are instances of that copy's classes, not of the ones auto-top-up.ts sees.
    const OtherStripe = createRequire(import.meta.url)('stripe') as typeof import('stripe').default;
    const { getStripe, hostOptions } = await import('./stripe');
    const { StripeCardError } = (await import('stripe')).default.errors;
    expect(new OtherStripe.errors.StripeCardError({}) instanceof StripeCardError).toBe(false);
    const holder = (globalThis as unknown as Record<symbol, { client?: unknown }>)[Symbol.for('conduit.stripe')]!;
    const own = getStripe();
    const user = await accountWithCard(9 * DOLLAR);
    await updateAutoTopUpSettings(await getDb(), user.id, { enabled: true, thresholdMicros: 5 * DOLLAR, amountMicros: 15 * DOLLAR });
    holder.client = new OtherStripe('sk_test_conduit', { ...hostOptions(stripe.url), maxNetworkRetries: 0 });
    stripe.setDeclineOffSession(true);
    stripe.setWebhookUrl(undefined); // only the top-up's own answer records the failure here
    const logged = captureLogs();
    try {
      expect(await runAutoTopUp(await account(user.id))).toBe('failed');
      const [attempt] = await attempts(user.id);
      expect(attempt).toMatchObject({ status: 'failed', error: DECLINED });
      expect(attempt!.paymentIntentId).toMatch(/^pi_/);
      expect(logged.records().filter((record) => record.level >= 50)).toEqual([]);
    } finally {
      logged.restore();
      holder.client = own;
      stripe.setDeclineOffSession(false);
      stripe.setWebhookUrl(billing.server.url);
    }
  });

  it('a new card saved by a purchase lifts the pause after a decline', async () => {
    const user = await accountWithCard(9 * DOLLAR);
    stripe.setDeclineOffSession(true);
    try {
      await saveAutoTopUpSettings(personalActor(user.id), { enabled: true, thresholdMicros: 15 * DOLLAR, amountMicros: 10 * DOLLAR });
    } finally {
      stripe.setDeclineOffSession(false);
    }
    expect(await runAutoTopUp(await account(user.id))).toBe('paused_after_failure');
    await buyCredit(stripe, user, 5 * DOLLAR); // $6 now, under $15, with a new card
    expect(await runAutoTopUp(await account(user.id))).toBe('succeeded');
    expect(await loadCreditBalance(user.id)).toBe(16 * DOLLAR);
  });

  it('is triggered by the usage drain for the accounts it debited, never without a saved card', async () => {
    const user = await accountWithCard(0);
    await saveAutoTopUpSettings(personalActor(user.id), { enabled: true, thresholdMicros: 5 * DOLLAR, amountMicros: 25 * DOLLAR });
    const records = [usageRecord({ userId: user.id, costMicros: 6 * DOLLAR })];
    const pipeline = getRedis().pipeline();
    pipeline.decrby(creditBalanceKey(user.id), 6 * DOLLAR);
    for (const record of records) enqueueUsage(pipeline, record, queue);
    await pipeline.exec();
    await drainUsageOnce({ queue, consumer: 'auto-top-up-test' });
    await expect.poll(async () => (await topUpRows(user.id)).length, { timeout: 5_000 }).toBe(1);
    expect(await loadCreditBalance(user.id)).toBe(29 * DOLLAR);

    const cardless = await newAccount();
    await saveAutoTopUpSettings(personalActor(cardless.id), { enabled: true, thresholdMicros: 5 * DOLLAR, amountMicros: 25 * DOLLAR });
    expect(await runAutoTopUp(await account(cardless.id))).toBe('no_card');
    expect(await attempts(cardless.id)).toHaveLength(0);
  });
});
