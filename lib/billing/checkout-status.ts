import 'server-only';
import { getDb } from '@/db';
import { creditedPayment } from '@/db/queries/billing';
import type { Micros } from '@/lib/money';
import { META_USER } from './checkout';
import { checkoutSessionSchema, idOf } from './objects';
import { getStripe } from './stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

export type CheckoutStatus = { state: 'credited'; amountMicros: Micros } | { state: 'pending' } | { state: 'unknown' };

/**
 * What became of a checkout the browser came back from, for the success page: credited (the
 * webhook landed), pending (paid but not yet credited, or a delayed payment method), or unknown
 * (not this account's session, or Stripe unreachable). Read-only: crediting stays the webhook's.
 */
export async function checkoutStatus(userId: string, sessionId: string): Promise<CheckoutStatus> {
  const stripe = getStripe();
  if (!stripe || !/^cs_\w+$/.test(sessionId)) return { state: 'unknown' };
  try {
    const session = checkoutSessionSchema.parse(await stripe.checkout.sessions.retrieve(sessionId));
    if ((session.client_reference_id ?? session.metadata[META_USER]) !== userId) return { state: 'unknown' };
    const paymentIntent = idOf(session.payment_intent);
    const credited = paymentIntent ? await creditedPayment(await getDb(), userId, paymentIntent) : undefined;
    return credited ? { state: 'credited', amountMicros: credited.amountMicros } : { state: 'pending' };
  } catch (error) {
    log.warn({ err: error, checkoutSession: sessionId }, 'could not read a checkout session');
    return { state: 'unknown' };
  }
}
