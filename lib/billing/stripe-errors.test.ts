import { createRequire } from 'node:module';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { declineReason, stripeFailure } from './stripe-errors';

// Two copies of the SDK, as a production build has: its CommonJS build beside the ES module one.
const OtherStripe = createRequire(import.meta.url)('stripe') as typeof Stripe;
const raw = { message: 'Your card has insufficient funds.', code: 'card_declined', decline_code: 'insufficient_funds', payment_intent: { id: 'pi_123' } as Stripe.PaymentIntent };

describe('Stripe errors', () => {
  it('are recognised from either copy of the SDK, where instanceof is not', () => {
    const foreign = new OtherStripe.errors.StripeCardError(raw);
    expect(foreign instanceof Stripe.errors.StripeCardError).toBe(false);
    for (const error of [foreign, new Stripe.errors.StripeCardError(raw)]) {
      expect(stripeFailure(error)).toEqual({
        type: 'StripeCardError',
        message: 'Your card has insufficient funds.',
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        paymentIntentId: 'pi_123',
      });
    }
  });

  it('say which kind of failure it was', () => {
    expect(stripeFailure(new OtherStripe.errors.StripeConnectionError({ message: 'connect ECONNREFUSED' }))?.type).toBe('StripeConnectionError');
    expect(stripeFailure(new OtherStripe.errors.StripeInvalidRequestError({ message: 'No such customer' }))).toMatchObject({ type: 'StripeInvalidRequestError', message: 'No such customer' });
  });

  it('are not confused with other errors', () => {
    expect(stripeFailure(new Error('boom'))).toBeUndefined();
    expect(stripeFailure(Object.assign(new Error('x'), { type: 'card_error' }))).toBeUndefined();
    expect(stripeFailure({ type: 'invalid_request_error', message: 'x' })).toBeUndefined();
    expect(stripeFailure(null)).toBeUndefined();
    expect(stripeFailure('StripeCardError')).toBeUndefined();
  });

  it('word a decline with the card\'s reason and the issuer\'s code', () => {
    expect(declineReason({ message: 'Your card has insufficient funds.', decline_code: 'insufficient_funds' })).toBe('Your card has insufficient funds. Decline code: insufficient_funds.');
    expect(declineReason({ message: 'Your card was declined.' })).toBe('Your card was declined.');
    expect(declineReason({ message: null })).toBe('The card was declined.');
  });
});
