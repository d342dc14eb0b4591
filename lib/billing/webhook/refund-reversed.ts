import 'server-only';
import type Stripe from 'stripe';
import { grantCredit } from '../credit';
import { idOf, refundSchema } from '../objects';
import { userForPayment } from '../payments';
import { centsToMicros } from '../stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * refund.failed, and refund.updated to failed or canceled: the money never left, so the credit
 * its refund took (charge-refunded.ts) comes back — reference `<refund id>:reversed`, once, and
 * whether this arrives before or after the refund's own debit.
 */
export async function onRefundReversed(event: Stripe.Event): Promise<void> {
  const refund = refundSchema.parse(event.data.object);
  if ((refund.status !== 'failed' && refund.status !== 'canceled') || refund.currency !== 'usd') return;
  const userId = await userForPayment({ paymentIntent: idOf(refund.payment_intent), charge: idOf(refund.charge) });
  if (!userId) {
    log.error({ refund: refund.id }, 'reversed refund concerns no Conduit account: nothing credited');
    return;
  }
  await grantCredit({ userId, kind: 'refund', amountMicros: centsToMicros(refund.amount), reference: `${refund.id}:reversed` });
}
