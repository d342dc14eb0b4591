import 'server-only';
import { getDb } from '@/db';
import {
  autoTopUpAccounts,
  dropPendingAutoTopUp,
  failStalePendingAutoTopUps,
  insertPendingAutoTopUp,
  latestAutoTopUp,
  markAutoTopUpFailed,
  markAutoTopUpSucceeded,
  setAutoTopUpPaymentIntent,
} from '@/db/queries/billing';
import type { BillingAccount } from '@/db/schema';
import { randomId } from '@/lib/keys/secret';
import { META_ATTEMPT, META_PURPOSE, META_USER } from './checkout';
import { loadCreditBalance } from './credit';
import { paymentIntentSchema } from './objects';
import { creditPaymentIntent } from './payments';
import { declineReason, stripeFailure, type StripeFailure } from './stripe-errors';
import { getStripe, microsToCents } from './stripe';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/** A pending attempt this old was interrupted (its process died before Stripe answered). */
const STALE_PENDING_SECONDS = 15 * 60;

export type AutoTopUpOutcome = 'not_enabled' | 'above_threshold' | 'in_flight' | 'paused_after_failure' | 'no_card' | 'succeeded' | 'failed';

/**
 * Checks the accounts a usage drain just debited, off the request path: each one with automatic
 * top-up on whose live balance is under its threshold is charged. Never throws (it runs after a
 * drain pass, whose work is done); failures are logged and recorded on the attempt.
 */
export async function checkAutoTopUps(userIds: Iterable<string>): Promise<void> {
  if (!getStripe()) return;
  try {
    const accounts = await autoTopUpAccounts(await getDb(), [...new Set(userIds)]);
    await Promise.all(accounts.map((account) => runAutoTopUp(account).catch((error: unknown) => log.error({ err: error, userId: account.userId }, 'auto top-up failed'))));
  } catch (error) {
    log.error({ err: error }, 'auto top-up check failed');
  }
}

/**
 * One account: at most one attempt at a time — the pending row is inserted before Stripe is
 * called and a partial unique index lets only one exist — and none again after a failure until
 * the settings change (so a declined card is not retried after every request). The payment
 * intent is confirmed off-session with an idempotency key of the attempt: a retried call never
 * charges twice. It is credited at once when Stripe answers `succeeded`, and again (a no-op, same
 * payment intent) when payment_intent.succeeded arrives — whichever is first.
 */
export async function runAutoTopUp(account: BillingAccount): Promise<AutoTopUpOutcome> {
  const stripe = getStripe();
  const { userId, autoTopUpThresholdMicros: threshold, autoTopUpAmountMicros: amount } = account;
  if (!stripe || !account.autoTopUpEnabled || threshold === null || amount === null) return 'not_enabled';
  if (!account.stripeCustomerId || !account.paymentMethodId) return 'no_card';
  if ((await loadCreditBalance(userId)) >= threshold) return 'above_threshold';

  const db = await getDb();
  const latest = await latestAutoTopUp(db, userId);
  if (latest?.status === 'failed' && latest.createdAt > account.settingsUpdatedAt) return 'paused_after_failure';
  await failStalePendingAutoTopUps(db, userId, STALE_PENDING_SECONDS);
  const attempt = randomId('atu');
  if (!(await insertPendingAutoTopUp(db, { id: attempt, userId, amountMicros: amount }))) return 'in_flight';
  // Checked again holding the one pending slot: a call that read the balance before another
  // attempt credited it (and freed the slot) would otherwise top up a second time.
  if ((await loadCreditBalance(userId)) >= threshold) {
    await dropPendingAutoTopUp(db, attempt);
    return 'above_threshold';
  }

  try {
    const created = await stripe.paymentIntents.create(
      {
        amount: microsToCents(amount),
        currency: 'usd',
        customer: account.stripeCustomerId,
        payment_method: account.paymentMethodId,
        off_session: true,
        confirm: true,
        description: 'Conduit automatic top-up',
        metadata: { [META_USER]: userId, [META_PURPOSE]: 'auto_top_up', [META_ATTEMPT]: attempt },
        expand: ['latest_charge'],
      },
      { idempotencyKey: `conduit-auto-top-up-${attempt}` },
    );
    const intent = paymentIntentSchema.parse(created);
    await setAutoTopUpPaymentIntent(db, attempt, intent.id);
    if (intent.status !== 'succeeded') {
      // requires_action: the bank wants the cardholder present (3-D Secure); off-session cannot.
      await markAutoTopUpFailed(db, attempt, `The payment needs your confirmation (${intent.status}); add credit on the billing page.`, intent.id);
      return 'failed';
    }
    await creditPaymentIntent({ userId, kind: 'auto_top_up', paymentIntent: intent });
    await markAutoTopUpSucceeded(db, attempt, intent.id);
    return 'succeeded';
  } catch (error) {
    // A decline comes back as an error carrying the payment intent: recorded with the card's
    // reason, an expected outcome (not logged). Any other error leaves the outcome unknown:
    // recorded as failed and logged, and payment_intent.succeeded still credits and marks the
    // attempt if the charge did go through. Recognised by type, not class (stripe-errors.ts).
    const failure = stripeFailure(error);
    await markAutoTopUpFailed(db, attempt, failureMessage(failure), failure?.paymentIntentId);
    if (failure?.type !== 'StripeCardError') log.error({ err: error, attempt, userId }, 'auto top-up attempt failed');
    return 'failed';
  }
}

function failureMessage(failure: StripeFailure | undefined): string {
  if (failure?.type === 'StripeCardError') return declineReason(failure);
  if (!failure || failure.type === 'StripeConnectionError') return 'Stripe could not be reached.';
  return `Stripe refused the payment: ${failure.message}`;
}
