import 'server-only';
import type Stripe from 'stripe';
import { grantCredit } from '../credit';
import { disputeSchema, idOf } from '../objects';
import { userForPayment } from '../payments';
import { centsToMicros } from '../stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * charge.dispute.created: the disputed amount is withdrawn by the bank now, so it leaves the
 * balance now (reference = the dispute id); a dispute won later gives it back (dispute-closed.ts).
 */
export async function onDisputeCreated(event: Stripe.Event): Promise<void> {
  const dispute = disputeSchema.parse(event.data.object);
  const userId = await userForPayment({ paymentIntent: idOf(dispute.payment_intent), charge: idOf(dispute.charge) });
  if (!userId) {
    log.error({ dispute: dispute.id }, 'dispute concerns no Conduit account: nothing debited');
    return;
  }
  await grantCredit({ userId, kind: 'dispute', amountMicros: -centsToMicros(dispute.amount), reference: dispute.id });
}
