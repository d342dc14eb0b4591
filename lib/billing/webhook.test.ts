import { afterAll, describe, expect, it } from 'vitest';
import type { MockEvent } from '@/lib/testing/mock-stripe';
import { usageRecord } from '@/lib/usage/fixtures';
import { buyCredit, newAccount, openCheckout, startBilling } from './testing';

const billing = await startBilling({ trialUsd: 2, consumer: 'billing-webhook-test' });
const { services, stripe, server, handleStripeWebhook, queue } = billing;
const { ledgerBalance, loadCreditBalance, creditBalanceKey } = await import('./credit');
const { billingOverview } = await import('./overview');
const { getDb } = await import('@/db');
const { billingAccounts, creditLedger, stripeEvents } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
const { getRedis } = await import('@/lib/redis/client');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { enqueueUsage } = await import('@/lib/usage/queue');
afterAll(() => billing.close());

const DOLLAR = 1_000_000;
const TRIAL = 2 * DOLLAR;

async function rows(userId: string) {
  const db = await getDb();
  return db.select().from(creditLedger).where(eq(creditLedger.userId, userId));
}

function deliver(payload: string, signature: string) {
  return handleStripeWebhook(new Request('http://conduit.test/api/stripe/webhook', { method: 'POST', headers: { 'stripe-signature': signature }, body: payload }));
}

/** Pays a checkout with webhooks held back; returns the events Stripe would have sent. */
async function payQuietly(user: { id: string; email: string }, amountMicros: number) {
  stripe.setWebhookUrl(undefined);
  const from = stripe.deliveries.length;
  try {
    const session = await stripe.pay(await openCheckout(stripe, user, amountMicros));
    return { session, events: stripe.deliveries.slice(from).map((d) => d.event) };
  } finally {
    stripe.setWebhookUrl(server.url);
  }
}

const resend = (event: MockEvent) => {
  const { payload, signature } = stripe.signedEvent(event.type, event.data.object);
  return deliver(payload, signature);
};

describe(`Stripe webhooks on ${services.label}`, () => {
  it('a paid checkout credits what Stripe received, with its receipt, in the ledger and the live balance', async () => {
    const user = await newAccount();
    expect(await loadCreditBalance(user.id)).toBe(TRIAL);
    const intent = await buyCredit(stripe, user, 25 * DOLLAR);
    const purchase = (await rows(user.id)).find((row) => row.kind === 'purchase');
    expect(purchase).toMatchObject({ amountMicros: 25 * DOLLAR, reference: intent });
    expect(purchase?.receiptUrl).toMatch(new RegExp(`^${stripe.url}/receipts/`));
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 25 * DOLLAR);
    expect(await loadCreditBalance(user.id)).toBe(TRIAL + 25 * DOLLAR);
    // Both events Stripe sends for it were answered 200 and credited once between them.
    const answered = stripe.deliveries.filter((d) => JSON.stringify(d.event).includes(intent));
    expect(answered.map((d) => [d.event.type, d.status])).toEqual([
      ['payment_intent.succeeded', 200],
      ['checkout.session.completed', 200],
    ]);
    // An invoice is made for it (the billing portal lists invoices), carrying the account id.
    const [session] = stripe.deliveries.filter((d) => d.event.type === 'checkout.session.completed' && JSON.stringify(d.event).includes(intent));
    expect((session?.event.data.object as { invoice_creation?: unknown }).invoice_creation).toMatchObject({ enabled: true, invoice_data: { metadata: { conduit_user_id: user.id } } });
    // The card is saved for automatic top-ups.
    const [account] = await (await getDb()).select().from(billingAccounts).where(eq(billingAccounts.userId, user.id));
    expect(account?.paymentMethodId).toMatch(/^pm_/);
  });

  it('the success page learns whether the checkout was credited — only for its own account', async () => {
    const { checkoutStatus } = await import('./checkout-status');
    const user = await newAccount();
    const other = await newAccount();
    const sessionId = await openCheckout(stripe, user, 15 * DOLLAR);
    expect(await checkoutStatus(user.id, sessionId)).toEqual({ state: 'pending' });
    stripe.setWebhookUrl(undefined);
    await stripe.pay(sessionId);
    stripe.setWebhookUrl(server.url);
    expect(await checkoutStatus(user.id, sessionId)).toEqual({ state: 'pending' }); // paid, webhook not in yet
    await resend(stripe.deliveries.at(-1)!.event);
    expect(await checkoutStatus(user.id, sessionId)).toEqual({ state: 'credited', amountMicros: 15 * DOLLAR });
    expect(await checkoutStatus(other.id, sessionId)).toEqual({ state: 'unknown' });
    expect(await checkoutStatus(user.id, 'cs_nope')).toEqual({ state: 'unknown' });
    expect(await checkoutStatus(user.id, '../v1/customers')).toEqual({ state: 'unknown' });
  });

  it('one Stripe customer per account, even for 10 checkouts opened at once', async () => {
    const user = await newAccount();
    const customersBefore = [...stripe.objects.values()].filter((o) => o.object === 'customer').length;
    const sessions = await Promise.all(Array.from({ length: 10 }, () => openCheckout(stripe, user, 10 * DOLLAR)));
    const customers = new Set(sessions.map((id) => stripe.objects.get(id)!.customer));
    expect(customers.size).toBe(1);
    expect([...stripe.objects.values()].filter((o) => o.object === 'customer').length).toBe(customersBefore + 1);
    const session = stripe.objects.get(sessions[0]!)!;
    expect(session).toMatchObject({ client_reference_id: user.id, metadata: { conduit_user_id: user.id }, mode: 'payment', amount_total: 1000 });
  });

  it('a forged or altered event is refused with 400 and changes nothing', async () => {
    const user = await newAccount();
    const { events } = await payQuietly(user, 50 * DOLLAR);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    const { payload, signature } = stripe.signedEvent('checkout.session.completed', completed.data.object);
    const forged = await import('stripe').then(({ default: Stripe }) =>
      new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret: 'whsec_attacker' }),
    );
    const altered = payload.replace('"amount_total":5000', '"amount_total":500000');
    for (const [body, header] of [[payload, forged], [altered, signature], [payload, 't=1,v1=deadbeef'], [payload, '']] as const) {
      const response = await deliver(body, header);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(await ledgerBalance(user.id)).toBe(TRIAL);
    const db = await getDb();
    expect(await db.select().from(stripeEvents).where(eq(stripeEvents.id, JSON.parse(payload).id))).toHaveLength(0);
    // The genuine one still works afterwards.
    expect((await deliver(payload, signature)).status).toBe(200);
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 50 * DOLLAR);
  });

  it('the same event delivered 10 times in parallel credits once; replays later too', async () => {
    const user = await newAccount();
    expect(await loadCreditBalance(user.id)).toBe(TRIAL);
    const { events } = await payQuietly(user, 10 * DOLLAR);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    const { payload, signature } = stripe.signedEvent('checkout.session.completed', completed.data.object);
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(payload, signature)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await (await deliver(payload, signature)).json()).toMatchObject({ duplicate: true });
    // A different event about the same payment (async success, the payment intent's own) too.
    for (const event of events) expect((await resend(event)).status).toBe(200);
    expect((await rows(user.id)).filter((r) => r.kind === 'purchase')).toHaveLength(1);
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 10 * DOLLAR);
    expect(await loadCreditBalance(user.id)).toBe(TRIAL + 10 * DOLLAR);
  });

  it('a refund takes its amount off the balance; partial refunds each once, whatever is redelivered', async () => {
    const user = await newAccount();
    const intent = await buyCredit(stripe, user, 40 * DOLLAR);
    await stripe.refund(intent, 1_500); // $15
    await stripe.settled();
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 25 * DOLLAR);
    await stripe.refund(intent, 500); // $5 more
    await stripe.settled();
    for (const delivery of stripe.deliveries.filter((d) => d.event.type === 'charge.refunded')) await resend(delivery.event);
    expect((await rows(user.id)).filter((r) => r.kind === 'refund').map((r) => r.amountMicros).sort()).toEqual([-15 * DOLLAR, -5 * DOLLAR]);
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
    expect(await loadCreditBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
  });

  it('a refund that fails gives the credit back once, before or after its debit arrives', async () => {
    const user = await newAccount();
    const intent = await buyCredit(stripe, user, 30 * DOLLAR);
    const refund = await stripe.refund(intent, 1_000);
    await stripe.settled();
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
    await stripe.failRefund(refund.id);
    await stripe.settled();
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 30 * DOLLAR);

    // Failure first, then a (late) charge.refunded still listing the refund: still net zero.
    stripe.setWebhookUrl(undefined);
    const second = await stripe.refund(intent, 500);
    await stripe.failRefund(second.id);
    stripe.setWebhookUrl(server.url);
    const [refunded, failed] = stripe.deliveries.slice(-2).map((d) => d.event);
    for (const event of [failed!, refunded!, failed!, refunded!]) expect((await resend(event)).status).toBe(200);
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 30 * DOLLAR);
    expect(await loadCreditBalance(user.id)).toBe(TRIAL + 30 * DOLLAR);
  });

  it('out of order: the refund before the purchase, and an unpaid completion before the async success', async () => {
    const user = await newAccount();
    const { session, events } = await payQuietly(user, 30 * DOLLAR);
    stripe.setWebhookUrl(undefined);
    await stripe.refund(session.payment_intent as string, 1_000);
    stripe.setWebhookUrl(server.url);
    const refunded = stripe.deliveries.at(-1)!.event;
    expect((await resend(refunded)).status).toBe(200);
    expect(await ledgerBalance(user.id)).toBe(TRIAL - 10 * DOLLAR);

    // The session as first completed (a bank debit: unpaid), its failure notice, then the success.
    const object = events.find((e) => e.type === 'checkout.session.completed')!.data.object;
    const send = (type: string, patch: object) => {
      const { payload, signature } = stripe.signedEvent(type, { ...object, ...patch });
      return deliver(payload, signature);
    };
    expect((await send('checkout.session.completed', { payment_status: 'unpaid' })).status).toBe(200);
    expect((await send('checkout.session.async_payment_failed', { payment_status: 'unpaid' })).status).toBe(200);
    expect(await ledgerBalance(user.id)).toBe(TRIAL - 10 * DOLLAR);
    expect((await send('checkout.session.async_payment_succeeded', { payment_status: 'paid' })).status).toBe(200);
    expect((await send('checkout.session.async_payment_failed', { payment_status: 'unpaid' })).status).toBe(200);
    expect((await send('checkout.session.completed', { payment_status: 'paid' })).status).toBe(200);
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
    expect(await loadCreditBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
  });

  it('a dispute withdraws the amount; won, it comes back — in either order', async () => {
    const user = await newAccount();
    const first = await buyCredit(stripe, user, 20 * DOLLAR);
    const dispute = await stripe.dispute(first);
    await stripe.settled();
    expect(await ledgerBalance(user.id)).toBe(TRIAL);
    await stripe.closeDispute(dispute.id, 'won');
    await stripe.settled();
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);

    // Closed (lost) arrives before created: one withdrawal, nothing given back.
    const second = await buyCredit(stripe, user, 10 * DOLLAR);
    stripe.setWebhookUrl(undefined);
    const lost = await stripe.dispute(second);
    await stripe.closeDispute(lost.id, 'lost');
    stripe.setWebhookUrl(server.url);
    const [created, closed] = stripe.deliveries.slice(-2).map((d) => d.event);
    await resend(closed!);
    await resend(created!);
    await resend(created!);
    expect(await ledgerBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
    expect(await loadCreditBalance(user.id)).toBe(TRIAL + 20 * DOLLAR);
  });

  it('event types outside the allowlist are acknowledged and ignored', async () => {
    const { payload, signature } = stripe.signedEvent('customer.created', { id: 'cus_x', object: 'customer' });
    const response = await deliver(payload, signature);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ handled: false });
  });

  it('after purchases, refunds and drained usage the balance equals the ledger sum, and rebuilds from it', async () => {
    const user = await newAccount();
    expect(await loadCreditBalance(user.id)).toBe(TRIAL);
    const intents = await Promise.all([buyCredit(stripe, user, 10 * DOLLAR), buyCredit(stripe, user, 25 * DOLLAR), buyCredit(stripe, user, 100 * DOLLAR)]);
    await stripe.refund(intents[1]!, 700);
    await stripe.settled();
    // Usage as the gateway settles it: the live balance is debited at once, the ledger by the drain.
    const records = Array.from({ length: 12 }, (_, i) => usageRecord({ userId: user.id, costMicros: 123_457 * (i + 1) }));
    const usage = records.reduce((sum, r) => sum + r.costMicros, 0);
    const pipeline = getRedis().pipeline();
    for (const record of records) {
      pipeline.decrby(creditBalanceKey(user.id), record.costMicros);
      enqueueUsage(pipeline, record, queue);
    }
    await pipeline.exec();
    expect(await drainUsageOnce({ queue, consumer: 'billing-webhook-test' })).toMatchObject({ inserted: 12 });

    const expected = TRIAL + 135 * DOLLAR - 7 * DOLLAR - usage;
    const sum = (await rows(user.id)).reduce((total, row) => total + row.amountMicros, 0);
    expect(sum).toBe(expected);
    expect(await ledgerBalance(user.id)).toBe(expected);
    expect(await loadCreditBalance(user.id)).toBe(expected);
    await getRedis().del(creditBalanceKey(user.id));
    expect(await loadCreditBalance(user.id)).toBe(expected);

    // The billing page's history: each payment with its receipt, usage as one total for the day.
    const { history } = await billingOverview(user.id);
    expect(history.map((row) => [row.kind, row.amountMicros, Boolean(row.receiptUrl)]).sort()).toEqual(
      [
        ['purchase', 10 * DOLLAR, true],
        ['purchase', 25 * DOLLAR, true],
        ['purchase', 100 * DOLLAR, true],
        ['refund', -7 * DOLLAR, false],
        ['trial_grant', TRIAL, false],
        ['usage', -usage, false],
      ].sort(),
    );
    expect(history.find((row) => row.kind === 'usage')?.day).toBe(new Date().toISOString().slice(0, 10));
  });
});
