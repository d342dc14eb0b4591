import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// Without STRIPE_SECRET_KEY billing is off: nothing else may depend on it.
const services = await useTestServices();
for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_BASE']) delete process.env[name];
process.env.TRIAL_CREDIT_USD = '3';
const { handleStripeWebhook } = await import('./webhook');
const { billingOverview } = await import('./overview');
const { createTopUpCheckout } = await import('./checkout');
const { checkAutoTopUps } = await import('./auto-top-up');
const { newAccount } = await import('./testing');
afterAll(() => services.cleanup());

describe(`billing without Stripe on ${services.label}`, () => {
  it('the webhook answers 503 and the page knows to explain the setup; credit still works', async () => {
    const response = await handleStripeWebhook(new Request('http://conduit.test/api/stripe/webhook', { method: 'POST', headers: { 'stripe-signature': 't=1,v1=x' }, body: '{}' }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'billing_not_configured' } });

    const user = await newAccount();
    const overview = await billingOverview(user.id);
    expect(overview).toMatchObject({ configured: false, balance: 3_000_000 });
    expect(overview.history.map((row) => row.kind)).toEqual(['trial_grant']);
    await expect(createTopUpCheckout({ user, amountMicros: 10_000_000, origin: 'http://conduit.test' })).rejects.toMatchObject({ status: 503 });
    await expect(checkAutoTopUps([user.id])).resolves.toBeUndefined();
  });
});

describe(`manual adjustments on ${services.label}`, () => {
  it('add or remove credit once per reference, refuse bad input', async () => {
    const { adjustCredit } = await import('./adjust');
    const { ledgerBalance } = await import('./credit');
    const user = await newAccount();
    expect(await adjustCredit({ email: user.email.toUpperCase(), dollars: '10', reference: 'T-1' })).toMatchObject({ ok: true, created: true, amountMicros: 10_000_000 });
    expect(await adjustCredit({ email: user.email, dollars: '10', reference: 'T-1' })).toMatchObject({ ok: true, created: false });
    expect(await adjustCredit({ email: user.email, dollars: '-2.50', reference: 'T-2' })).toMatchObject({ ok: true, created: true, amountMicros: -2_500_000 });
    expect(await adjustCredit({ email: user.email, dollars: 'ten', reference: 'T-3' })).toMatchObject({ ok: false });
    expect(await adjustCredit({ email: user.email, dollars: '0', reference: 'T-3' })).toMatchObject({ ok: false, message: 'amount: must not be zero' });
    expect(await adjustCredit({ email: 'nobody@example.com', dollars: '1', reference: 'T-3' })).toMatchObject({ ok: false });
    expect(await ledgerBalance(user.id)).toBe(3_000_000 + 10_000_000 - 2_500_000);
  });
});
