import 'server-only';
import { getDb } from '@/db';
import { setPaymentMethod, userIdByCustomer, userIdByPaymentReference } from '@/db/queries/billing';
import { organizationExists } from '@/db/queries/organizations';
import { grantCredit } from './credit';
import { chargeSchema, idOf, paymentIntentSchema, type PaymentIntentObject } from './objects';
import { centsToMicros, requireStripe } from './stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/**
 * Credits a paid payment intent, once: the ledger row's reference is the payment intent id, so
 * the checkout event, the async-payment event, the payment_intent.succeeded event and the
 * automatic top-up's own response all land on the same row whichever comes first or how often.
 * The amount is what Stripe says it received (cents → micros), never what was asked for.
 */
export async function creditPaymentIntent(input: {
  userId: string;
  kind: 'purchase' | 'auto_top_up';
  paymentIntent: string | PaymentIntentObject;
}): Promise<boolean> {
  const intent = typeof input.paymentIntent !== 'string' && typeof input.paymentIntent.latest_charge === 'object'
    ? input.paymentIntent
    : await retrievePaymentIntent(typeof input.paymentIntent === 'string' ? input.paymentIntent : input.paymentIntent.id);
  if (intent.status !== 'succeeded') return false;
  if (intent.currency !== 'usd') {
    // Conduit only ever asks for USD; anything else is a misconfiguration worth a human's look.
    log.error({ paymentIntent: intent.id, currency: intent.currency }, 'payment intent not in usd: not credited');
    return false;
  }
  const db = await getDb();
  if (!(await organizationExists(db, input.userId))) {
    log.warn({ paymentIntent: intent.id, userId: input.userId }, 'payment intent belongs to a deleted account: not credited');
    return false;
  }
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const credited = await grantCredit({
    userId: input.userId,
    kind: input.kind,
    amountMicros: centsToMicros(intent.amount_received ?? intent.amount),
    reference: intent.id,
    receiptUrl: charge?.receipt_url ?? null,
  });
  // The card saved by Checkout (setup_future_usage) is the one automatic top-ups charge.
  const paymentMethod = idOf(intent.payment_method);
  if (input.kind === 'purchase' && paymentMethod) await setPaymentMethod(db, input.userId, paymentMethod);
  return credited;
}

export async function retrievePaymentIntent(id: string): Promise<PaymentIntentObject> {
  const intent = await requireStripe().paymentIntents.retrieve(id, { expand: ['latest_charge'] });
  return paymentIntentSchema.parse(intent);
}

/**
 * Whose money a charge, refund or dispute concerns: the customer's account, else the account the
 * payment credited, else (for a bare charge id) the customer of the charge as Stripe knows it.
 */
export async function userForPayment(ids: { customer?: string | null; paymentIntent?: string | null; charge?: string | null }): Promise<string | undefined> {
  const db = await getDb();
  if (ids.customer) {
    const user = await userIdByCustomer(db, ids.customer);
    if (user) return user;
  }
  if (ids.paymentIntent) {
    const user = await userIdByPaymentReference(db, ids.paymentIntent);
    if (user) return user;
  }
  if (ids.charge && !ids.customer) {
    const charge = chargeSchema.parse(await requireStripe().charges.retrieve(ids.charge));
    const customer = idOf(charge.customer);
    if (customer) return userIdByCustomer(db, customer);
  }
  return undefined;
}
