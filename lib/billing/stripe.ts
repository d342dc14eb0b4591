import 'server-only';
import Stripe from 'stripe';
import { env } from '@/lib/env';
import { ApiError } from '@/lib/errors';

/**
 * The one Stripe client of the process, or null when STRIPE_SECRET_KEY is unset (billing is then
 * off and the billing page explains how to turn it on; nothing else depends on Stripe).
 * STRIPE_API_BASE points the official SDK at another host — a local mock in tests, stripe-mock —
 * through its own host/port/protocol options, so no code path differs from production.
 */

type Holder = { client?: Stripe | null };
const holder: Holder = ((globalThis as Record<symbol, Holder>)[Symbol.for('conduit.stripe')] ??= {});

export function stripeConfigured(): boolean {
  return Boolean(env().STRIPE_SECRET_KEY);
}

export function getStripe(): Stripe | null {
  if (holder.client !== undefined) return holder.client;
  const { STRIPE_SECRET_KEY, STRIPE_API_BASE } = env();
  holder.client = STRIPE_SECRET_KEY ? new Stripe(STRIPE_SECRET_KEY, { ...hostOptions(STRIPE_API_BASE), maxNetworkRetries: 2 }) : null;
  return holder.client;
}

/** The client, or a 503 that says billing is not configured. */
export function requireStripe(): Stripe {
  const stripe = getStripe();
  if (!stripe) throw new ApiError(503, 'billing_not_configured', 'Billing is not configured on this installation (STRIPE_SECRET_KEY).');
  return stripe;
}

export function hostOptions(base: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!base) return {};
  const url = new URL(base);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

/** Stripe counts US dollars in cents; Conduit in micro-dollars. */
export const MICROS_PER_CENT = 10_000;
export const centsToMicros = (cents: number) => cents * MICROS_PER_CENT;
export function microsToCents(micros: number): number {
  if (!Number.isSafeInteger(micros) || micros % MICROS_PER_CENT !== 0) throw new RangeError(`Not a whole number of cents: ${micros} micros`);
  return micros / MICROS_PER_CENT;
}
