import 'server-only';
import { getDb } from '@/db';
import { ensureBillingAccount, findBillingAccount, setStripeCustomer } from '@/db/queries/billing';
import { listUserMemberships } from '@/db/queries/organizations';
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

/**
 * After a person's address changes: the Stripe customers of their organizations that still bear
 * the old address — where Stripe sends receipts and payment notices — move to the new one.
 * Customers with another address (a billing contact changed in Stripe's portal) are left alone.
 * Returns how many moved.
 */
export async function moveCustomerEmail(userId: string, from: string, to: string): Promise<number> {
  const db = await getDb();
  const stripe = requireStripe();
  let moved = 0;
  for (const { organizationId } of await listUserMemberships(db, userId)) {
    const customerId = (await findBillingAccount(db, organizationId))?.stripeCustomerId;
    if (!customerId) continue;
    const customer = await stripe.customers.retrieve(customerId);
    if (customer.deleted || customer.email?.toLowerCase() !== from.toLowerCase()) continue;
    await stripe.customers.update(customerId, { email: to });
    moved += 1;
  }
  return moved;
}
