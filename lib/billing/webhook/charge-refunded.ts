import 'server-only';
import type Stripe from 'stripe';
import { grantCredit } from '../credit';
import { chargeSchema, idOf, refundSchema } from '../objects';
import { userForPayment } from '../payments';
import { centsToMicros, requireStripe } from '../stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * charge.refunded: one 'refund' row per Stripe refund of the charge (reference = the refund id),
 * each taking its amount off the balance. The event says how much was refunded in total, not by
 * which refunds, so the refunds are listed: two partial refunds, their events in any order or
 * repeated, each debit once. A refund that arrives before its purchase is credited still debits
 * (the account is found by its customer), and the purchase credits when it lands.
 */
export async function onChargeRefunded(event: Stripe.Event): Promise<void> {
  const charge = chargeSchema.parse(event.data.object);
  const userId = await userForPayment({ customer: idOf(charge.customer), paymentIntent: idOf(charge.payment_intent) });
  if (!userId) {
    log.error({ charge: charge.id }, 'refunded charge belongs to no Conduit account: nothing debited');
    return;
  }
  for await (const raw of requireStripe().refunds.list({ charge: charge.id, limit: 100 })) {
    const refund = refundSchema.parse(raw);
    // Every refund is debited, whatever its status: one that fails or is canceled is credited
    // back by refund-reversed.ts under its own reference, so the two net to zero in any order.
    if (refund.currency !== 'usd') continue;
    await grantCredit({ userId, kind: 'refund', amountMicros: -centsToMicros(refund.amount), reference: refund.id });
  }
}
