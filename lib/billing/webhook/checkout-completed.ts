import 'server-only';
import type Stripe from 'stripe';
import { META_USER } from '../checkout';
import { checkoutSessionSchema, idOf } from '../objects';
import { creditPaymentIntent } from '../payments';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * checkout.session.completed and checkout.session.async_payment_succeeded. Credit only a session
 * that is paid: a bank debit completes the session unpaid and pays later (async_payment_succeeded
 * then brings the same session back, paid). Credited by payment intent, so both events, in any
 * order and any number of times, credit once.
 */
export async function onCheckoutPaid(event: Stripe.Event): Promise<void> {
  const session = checkoutSessionSchema.parse(event.data.object);
  if (session.mode !== 'payment' || session.payment_status !== 'paid') return;
  const userId = session.client_reference_id ?? session.metadata[META_USER];
  const paymentIntent = idOf(session.payment_intent);
  if (!userId || !paymentIntent) {
    log.error({ checkoutSession: session.id }, 'paid checkout session names no account or payment: not credited');
    return;
  }
  await creditPaymentIntent({ userId, kind: 'purchase', paymentIntent });
}
