import { randomUUID } from 'node:crypto';
import { startFetchServer } from '@/lib/testing/mock-server';
import { startMockStripe, type MockStripe } from '@/lib/testing/mock-stripe';
import { useTestServices } from '@/lib/testing/services';
import { testQueueName } from '@/lib/usage/fixtures';

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

/**
 * Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded;
 * Stripe is the local mock, reached by the official SDK through STRIPE_API_BASE, its webhooks
 * delivered to the real handler. A usage queue of the test's own. Call before anything imports env().
 */
export async function startBilling(options: { trialUsd: number; consumer: string }) {
  // eslint-disable-next-line react-hooks/rules-of-hooks -- not a React hook: the test services' setup
  const services = await useTestServices();
  const stripe = await startMockStripe();
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: 'sk_test_conduit',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.url,
    TRIAL_CREDIT_USD: String(options.trialUsd),
  });
  const { handleStripeWebhook } = await import('./webhook');
  const { getRedis } = await import('@/lib/redis/client');
  const { usageQueue } = await import('@/lib/usage/queue');
  const server = await startFetchServer(handleStripeWebhook);
  stripe.setWebhookUrl(server.url);
  const queue = usageQueue(testQueueName());
  return {
    services,
    stripe,
    server,
    handleStripeWebhook,
    queue,
    async close() {
      await server.close();
      await stripe.close();
      await getRedis().del(queue.key, queue.consumersKey, queue.processingKey(options.consumer));
      await services.cleanup();
    },
  };
}

