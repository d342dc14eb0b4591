/**
 * Stripe's errors, recognised by the `type` the SDK gives each of them ('StripeCardError',
 * 'StripeInvalidRequestError', 'StripeConnectionError', …) — never with `instanceof`. The SDK is
 * bundled more than once in a production build (Next.js's server bundles, the instrumentation
 * that runs the usage drain and with it the automatic top-ups), and the one Stripe client of the
 * process lives on globalThis (stripe.ts): an error thrown by one copy's classes is not an
 * instance of another copy's. A declined card was shown as "Stripe could not be reached." that way.
 */

export type StripeErrorType =
  | 'StripeCardError'
  | 'StripeInvalidRequestError'
  | 'StripeAPIError'
  | 'StripeAuthenticationError'
  | 'StripePermissionError'
  | 'StripeRateLimitError'
  | 'StripeConnectionError'
  | 'StripeIdempotencyError'
  | 'StripeSignatureVerificationError';

export interface StripeFailure {
  type: StripeErrorType | (string & {});
  message: string;
  /** Stripe's error code, e.g. card_declined. */
  code?: string;
  /** The issuer's reason for a decline, e.g. insufficient_funds. */
  declineCode?: string;
  /** The payment intent the error is about (a declined confirmation carries it). */
  paymentIntentId?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The error as a Stripe failure, if the Stripe SDK raised it; undefined for anything else. */
export function stripeFailure(error: unknown): StripeFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fields = error as Record<string, unknown>;
  const type = text(fields.type);
  if (!type || !/^Stripe[A-Za-z]*Error$/.test(type)) return undefined;
  const intent = fields.payment_intent;
  const paymentIntentId = typeof intent === 'string' ? intent : typeof intent === 'object' && intent !== null ? text((intent as { id?: unknown }).id) : undefined;
  return {
    type,
    message: text(fields.message) ?? 'Stripe refused the request.',
    code: text(fields.code),
    declineCode: text(fields.decline_code),
    paymentIntentId,
  };
}

/** A card's refusal as the billing page shows it: the card's reason and the issuer's code. */
export function declineReason(failure: { message?: string | null; decline_code?: string | null; declineCode?: string }): string {
  const message = text(failure.message) ?? 'The card was declined.';
  const code = failure.declineCode ?? text(failure.decline_code);
  return code ? `${message} Decline code: ${code}.` : message;
}
