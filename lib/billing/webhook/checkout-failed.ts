import 'server-only';
import type Stripe from 'stripe';
import { checkoutSessionSchema } from '../objects';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * checkout.session.async_payment_failed: the delayed payment (e.g. a bank debit) did not go
 * through. Nothing was credited for the session (only paid sessions are), so nothing is taken
 * back; a success that arrives for it later still credits. Logged for support.
 */
export async function onCheckoutFailed(event: Stripe.Event): Promise<void> {
  const session = checkoutSessionSchema.parse(event.data.object);
  log.warn({ checkoutSession: session.id }, 'delayed payment of a checkout session failed; nothing was credited');
}
