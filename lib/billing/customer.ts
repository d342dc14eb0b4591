import 'server-only';
import { getDb } from '@/db';
import { ensureBillingAccount, setStripeCustomer } from '@/db/queries/billing';
import { requireStripe } from './stripe';

/**
 * The account's one Stripe customer, created on first need. Two tabs paying at once must not
 * make two customers: the create call carries an idempotency key derived from the account (Stripe
 * answers a repeat with the same customer), and the id is stored only if none is stored yet
 * (UPDATE … WHERE stripe_customer_id IS NULL), so whichever request loses reads the winner's.
 */
export async function ensureStripeCustomer(user: { id: string; email: string }): Promise<string> {
  const db = await getDb();
  const account = await ensureBillingAccount(db, user.id);
  if (account.stripeCustomerId) return account.stripeCustomerId;
  const customer = await requireStripe().customers.create(
    { email: user.email, metadata: { conduit_user_id: user.id } },
    { idempotencyKey: `conduit-customer-${user.id}` },
  );
  return setStripeCustomer(db, user.id, customer.id);
}
