import { afterAll, describe, expect, it } from 'vitest';
import { newAccount, startBilling } from './testing';

/**
 * A person's new address reaches Stripe (issue #16's leftover): the customers of their
 * organizations that bore the old address — where receipts and payment notices go — move to the
 * new one; a customer whose address was set to something else is left alone.
 */
const billing = await startBilling({ trialUsd: 1, consumer: 'customer-email-test' });
const { services, stripe } = billing;
const { ensureStripeCustomer, moveCustomerEmail } = await import('./customer');
const { createOrganization } = await import('@/lib/orgs/members');
afterAll(() => billing.close());

const emailOf = (customerId: string) => stripe.objects.get(customerId)?.email;

describe(`Stripe customers after an email change on ${services.label}`, () => {
  it('moves every customer of the person’s organizations that bore the old address, and no other', async () => {
    const person = await newAccount();
    const personal = await ensureStripeCustomer(person);
    const team = await createOrganization(person, 'Team with its own billing contact');
    const teamCustomer = await ensureStripeCustomer({ id: team, email: person.email });
    stripe.objects.get(teamCustomer)!.email = 'billing@team.example';
    const shop = await createOrganization(person, 'Shop');
    const shopCustomer = await ensureStripeCustomer({ id: shop, email: person.email.toUpperCase() });
    // Someone else's organization, whose customer has the same old address by coincidence: not theirs to move.
    const stranger = await newAccount();
    const strangerCustomer = await ensureStripeCustomer({ id: stranger.id, email: person.email });

    const next = `moved-${person.email}`;
    expect(await moveCustomerEmail(person.id, person.email, next)).toBe(2);
    expect(emailOf(personal)).toBe(next);
    expect(emailOf(shopCustomer)).toBe(next);
    expect(emailOf(teamCustomer)).toBe('billing@team.example');
    expect(emailOf(strangerCustomer)).toBe(person.email);
    // Nothing left to move the second time.
    expect(await moveCustomerEmail(person.id, person.email, next)).toBe(0);
  });
});
