import { randomUUID } from 'node:crypto';
import type { MockStripe } from '@/lib/testing/mock-stripe';

/**
 * Test support for the billing tests (not imported by the app): accounts, and paid purchases
 * through the real checkout code and the mock's hosted page.
 */
export async function newAccount(): Promise<{ id: string; email: string }> {
  const { signUp } = await import('@/lib/auth/users');
  const email = `billing-${randomUUID()}@example.com`;
  const result = await signUp({ email, password: 'long enough password 1' });
  if (!result.ok) throw new Error('sign-up failed');
  return { id: result.user.id, email };
}

/** Opens a checkout for `amountMicros` as the billing page does; returns the session id. */
export async function openCheckout(stripe: MockStripe, user: { id: string; email: string }, amountMicros: number): Promise<string> {
  const { createTopUpCheckout } = await import('./checkout');
  const url = await createTopUpCheckout({ user, amountMicros, origin: 'http://conduit.test' });
  const sessionId = new URL(url).pathname.split('/').pop()!;
  if (!url.startsWith(stripe.url)) throw new Error(`checkout URL ${url} is not on the mock`);
  return sessionId;
}

/** A purchase paid in the mock's checkout; returns the payment intent id. */
export async function buyCredit(stripe: MockStripe, user: { id: string; email: string }, amountMicros: number): Promise<string> {
  const session = await stripe.pay(await openCheckout(stripe, user, amountMicros));
  await stripe.settled();
  return session.payment_intent as string;
}
