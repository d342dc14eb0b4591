import 'server-only';
import type Stripe from 'stripe';
import { getDb } from '@/db';
import { recordStripeEvent, stripeEventProcessed } from '@/db/queries/billing';
import { env } from '@/lib/env';
import { ApiError, errorResponse, readText } from '@/lib/errors';
import { requireStripe } from '../stripe';
import { onChargeRefunded } from './charge-refunded';
import { onCheckoutFailed } from './checkout-failed';
import { onCheckoutPaid } from './checkout-completed';
import { onDisputeClosed } from './dispute-closed';
import { onDisputeCreated } from './dispute-created';
import { onPaymentIntentFailed } from './payment-intent-failed';
import { onPaymentIntentSucceeded } from './payment-intent-succeeded';
import { onRefundReversed } from './refund-reversed';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'billing' });

/** The events Conduit acts on; any other type is acknowledged and ignored. */
const handlers: Partial<Record<Stripe.Event.Type, (event: Stripe.Event) => Promise<void>>> = {
  'checkout.session.completed': onCheckoutPaid,
  'checkout.session.async_payment_succeeded': onCheckoutPaid,
  'checkout.session.async_payment_failed': onCheckoutFailed,
  'charge.refunded': onChargeRefunded,
  'refund.failed': onRefundReversed,
  'refund.updated': onRefundReversed,
  'charge.dispute.created': onDisputeCreated,
  'charge.dispute.closed': onDisputeClosed,
  'payment_intent.succeeded': onPaymentIntentSucceeded,
  'payment_intent.payment_failed': onPaymentIntentFailed,
};
export const HANDLED_EVENT_TYPES = Object.keys(handlers);

/** Stripe's events are a few KiB; anything far larger is not from Stripe. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * POST /api/stripe/webhook. The signature is checked on the raw body before anything is parsed
 * or changed: a forged or altered request gets 400 and changes nothing. A handler that fails
 * answers 500 so Stripe retries; every handler is idempotent by the underlying payment, refund
 * or dispute, and the event id short-cuts redeliveries of events already handled.
 */
export async function handleStripeWebhook(request: Request): Promise<Response> {
  try {
    const secret = env().STRIPE_WEBHOOK_SECRET;
    if (!secret) throw new ApiError(503, 'billing_not_configured', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).');
    const stripe = requireStripe();
    const signature = request.headers.get('stripe-signature');
    const raw = await readText(request, MAX_BODY_BYTES);
    if (!signature) throw new ApiError(400, 'invalid_signature', 'Missing Stripe-Signature header.');
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(raw, signature, secret);
    } catch {
      throw new ApiError(400, 'invalid_signature', 'The Stripe signature does not match the body.');
    }

    const handler = handlers[event.type];
    if (!handler) return Response.json({ received: true, handled: false });
    const db = await getDb();
    if (await stripeEventProcessed(db, event.id)) return Response.json({ received: true, duplicate: true });
    await handler(event);
    await recordStripeEvent(db, event.id, event.type);
    return Response.json({ received: true, handled: true });
  } catch (error) {
    if (!(error instanceof ApiError)) log.error({ err: error }, 'webhook handler failed; Stripe will retry');
    return errorResponse(error);
  }
}
