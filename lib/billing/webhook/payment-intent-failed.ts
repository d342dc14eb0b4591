import 'server-only';
import type Stripe from 'stripe';
import { getDb } from '@/db';
import { markAutoTopUpFailed } from '@/db/queries/billing';
import { META_ATTEMPT, META_PURPOSE } from '../checkout';
import { paymentIntentSchema } from '../objects';
import { declineReason } from '../stripe-errors';

/**
 * payment_intent.payment_failed: an automatic top-up's card was declined. The attempt is marked
 * failed with Stripe's reason (shown on the billing page); a success recorded already stays.
 */
export async function onPaymentIntentFailed(event: Stripe.Event): Promise<void> {
  const intent = paymentIntentSchema.parse(event.data.object);
  const attempt = intent.metadata[META_ATTEMPT];
  if (intent.metadata[META_PURPOSE] !== 'auto_top_up' || !attempt) return;
  const error = intent.last_payment_error;
  // Worded as the top-up's own answer words a decline (it may land first, or this event).
  const reason = error?.type === 'card_error' ? declineReason(error) : (error?.message ?? 'The payment failed.');
  await markAutoTopUpFailed(await getDb(), attempt, reason, intent.id);
}
