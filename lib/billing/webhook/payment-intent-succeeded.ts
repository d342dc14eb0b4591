import 'server-only';
import type Stripe from 'stripe';
import { getDb } from '@/db';
import { markAutoTopUpSucceeded } from '@/db/queries/billing';
import { META_ATTEMPT, META_PURPOSE, META_USER } from '../checkout';
import { paymentIntentSchema } from '../objects';
import { creditPaymentIntent } from '../payments';

/**
 * payment_intent.succeeded: credits Conduit's own payments (metadata names the account and the
 * purpose) — automatic top-ups, and Checkout purchases too, in case this event outruns the
 * session's. The ledger reference (the payment intent id) keeps it to one credit either way.
 */
export async function onPaymentIntentSucceeded(event: Stripe.Event): Promise<void> {
  const intent = paymentIntentSchema.parse(event.data.object);
  const userId = intent.metadata[META_USER];
  const purpose = intent.metadata[META_PURPOSE];
  if (!userId || (purpose !== 'purchase' && purpose !== 'auto_top_up')) return;
  await creditPaymentIntent({ userId, kind: purpose, paymentIntent: intent.id });
  const attempt = intent.metadata[META_ATTEMPT];
  if (purpose === 'auto_top_up' && attempt) await markAutoTopUpSucceeded(await getDb(), attempt, intent.id);
}
