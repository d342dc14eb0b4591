import 'server-only';
import type Stripe from 'stripe';
import { grantCredit } from '../credit';
import { disputeSchema, idOf } from '../objects';
import { userForPayment } from '../payments';
import { centsToMicros } from '../stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * charge.dispute.closed: a won dispute returns the money, so the credit comes back (its own row,
 * reference `<dispute id>:won`). Lost: the withdrawal recorded at creation stands. Should the
 * closing arrive before the creation, both rows still end up written once each: net zero.
 */
export async function onDisputeClosed(event: Stripe.Event): Promise<void> {
  const dispute = disputeSchema.parse(event.data.object);
  if (dispute.status !== 'won') return;
  const userId = await userForPayment({ paymentIntent: idOf(dispute.payment_intent), charge: idOf(dispute.charge) });
  if (!userId) {
    log.error({ dispute: dispute.id }, 'won dispute concerns no Conduit account: nothing credited');
    return;
  }
  await grantCredit({ userId, kind: 'dispute', amountMicros: centsToMicros(dispute.amount), reference: `${dispute.id}:won` });
}
