import 'server-only';
import { formatDollars, type Micros } from '@/lib/money';
import { ensureStripeCustomer } from './customer';
import { microsToCents, requireStripe } from './stripe';

/** Metadata keys Conduit puts on Stripe objects; webhooks read them back. */
export const META_USER = 'conduit_user_id';
export const META_PURPOSE = 'conduit_purpose';
export const META_ATTEMPT = 'conduit_auto_top_up_id';

/**
 * A Stripe Checkout session (payment mode) that buys `amountMicros` of credit; returns the URL of
 * Stripe's payment page. The amount was bounded by the caller (topUpAmountSchema); what is
 * credited later is what Stripe says was paid, never this number. The card is saved for
 * off-session use, so automatic top-ups can charge it.
 */
export async function createTopUpCheckout(input: { user: { id: string; email: string }; amountMicros: Micros; origin: string }): Promise<string> {
  const { user, amountMicros, origin } = input;
  const customer = await ensureStripeCustomer(user);
  const metadata = { [META_USER]: user.id, [META_PURPOSE]: 'purchase' };
  const session = await requireStripe().checkout.sessions.create({
    mode: 'payment',
    customer,
    client_reference_id: user.id,
    metadata,
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: 'usd',
          unit_amount: microsToCents(amountMicros),
          product_data: { name: `Conduit credit (${formatDollars(amountMicros)})` },
        },
      },
    ],
    payment_intent_data: { setup_future_usage: 'off_session', metadata },
    // A paid invoice per top-up, so the billing portal lists invoices beside payment methods.
    invoice_creation: { enabled: true, invoice_data: { metadata } },
    success_url: `${origin}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${origin}/billing/cancel`,
  });
  if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
  return session.url;
}

/** Stripe's billing portal (payment methods, invoices and receipts) for the account. */
export async function createPortalSession(input: { user: { id: string; email: string }; origin: string }): Promise<string> {
  const customer = await ensureStripeCustomer(input.user);
  const session = await requireStripe().billingPortal.sessions.create({ customer, return_url: `${input.origin}/billing` });
  return session.url;
}
