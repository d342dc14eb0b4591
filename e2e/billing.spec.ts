import type { Page } from '@playwright/test';
import { expect, signUp, test, verifyEmail } from './fixtures';

// Billing against the mock Stripe of e2e/mock-services.ts (started by playwright.config.ts): its
// hosted checkout page sends the signed webhook to the server under test, then returns here.
const mockStripe = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 11}`;

async function goToBilling(page: Page) {
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Billing' }).click();
  await expect(page).toHaveURL(/\/billing$/);
}

/** Pays on the mock's checkout page and lands back on the success page. */
async function payOnCheckoutPage(page: Page, label: string) {
  await expect(page).toHaveURL(new RegExp(`^${mockStripe}/checkout/`));
  await page.getByRole('button', { name: label }).click();
  await expect(page).toHaveURL(/\/billing\/success\?session_id=cs_/);
}

test('add credits: custom amount bounds, Stripe checkout, webhook, the new balance and its receipt', async ({ page, email }) => {
  await signUp(page, email);
  // Unverified, buying is refused with a clear message; verified, it goes through.
  await goToBilling(page);
  await page.getByRole('button', { name: 'Add $10', exact: true }).click();
  await expect(page.getByRole('form', { name: 'Add credit' }).getByRole('alert')).toContainText('Verify your email address before buying credit');
  await verifyEmail(page, email);
  await goToBilling(page);
  await expect(page.getByTestId('billing-balance')).toHaveText('$5.00');

  const form = page.getByRole('form', { name: 'Add credit' });
  await form.getByLabel('Custom amount').fill('4.99');
  await form.getByRole('button', { name: 'Add credit' }).click();
  await expect(form.getByLabel('Custom amount')).toHaveAccessibleDescription('Enter an amount between $5 and $1,000');
  await form.getByLabel('Custom amount').fill('20.50');
  await form.getByRole('button', { name: 'Add credit' }).click();
  await payOnCheckoutPage(page, 'Pay $20.50');
  await expect(page.getByTestId('checkout-status')).toHaveText('$20.50 has been added to your credit.');
  await expect(page.getByTestId('success-balance')).toHaveText('$25.50');

  await page.getByRole('link', { name: 'Back to billing' }).click();
  await expect(page.getByTestId('billing-balance')).toHaveText('$25.50');
  const purchase = page.getByTestId('ledger-row').filter({ hasText: 'Purchase' });
  await expect(purchase).toContainText('+$20.50');
  await expect(purchase.getByRole('link', { name: 'Receipt' })).toHaveAttribute('href', new RegExp(`^${mockStripe}/receipts/pi_`));
  await expect(page.getByTestId('ledger-row').filter({ hasText: 'Trial credit' })).toContainText('+$5.00');

  // Cancelling a checkout charges nothing.
  await page.getByRole('button', { name: 'Add $10', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^${mockStripe}/checkout/`));
  await page.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByText('Nothing was charged')).toBeVisible();
  await page.getByRole('link', { name: 'Back to billing' }).click();
  await expect(page.getByTestId('billing-balance')).toHaveText('$25.50');
});

test('a gateway call refused with 402 goes through right after a top-up', async ({ page, email }) => {
  test.setTimeout(60_000);
  await signUp(page, email);
  await verifyEmail(page, email);
  await page.goto('/keys');
  await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
  const form = page.getByRole('dialog', { name: 'Create an API key' });
  await form.getByLabel('Name').fill('Billing test');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  const shown = page.getByRole('dialog', { name: 'API key created' });
  const secret = await shown.getByLabel('API key', { exact: true }).inputValue();

  // gpt-4's prompt is reserved at $30 / 1M tokens of its byte count: ~220 kB is more than $6,
  // beyond the $5 trial credit.
  const call = () =>
    page.request.post('/v1/chat/completions', {
      headers: { authorization: `Bearer ${secret}` },
      data: { model: 'gpt-4', max_tokens: 5, messages: [{ role: 'user', content: 'word '.repeat(44_000) }] },
    });
  const refused = await call();
  expect(refused.status()).toBe(402);
  expect((await refused.json()).error.code).toBe('insufficient_credits');

  await page.goto('/billing');
  await page.getByRole('button', { name: 'Add $10', exact: true }).click();
  await payOnCheckoutPage(page, 'Pay $10.00');
  await expect(page.getByTestId('success-balance')).toHaveText('$15.00');

  const accepted = await call();
  expect(accepted.status()).toBe(200);
  expect((await accepted.json()).choices[0].message.content).toContain('Echo: word');
});

/** Turns automatic top-up on with these dollar amounts. */
async function saveAutoTopUp(page: Page, threshold: string, amount: string) {
  const form = page.getByRole('form', { name: 'Automatic top-up' });
  await form.getByLabel('Top up automatically').check();
  await form.getByLabel('When the balance falls below').fill(threshold);
  await form.getByLabel('Add this amount').fill(amount);
  await form.getByRole('button', { name: 'Save' }).click();
  return form;
}

test('automatic top-up: bounded settings, then the saved card is charged when the balance is under the threshold', async ({ page, email }) => {
  await signUp(page, email);
  await verifyEmail(page, email);
  await goToBilling(page);
  let form = await saveAutoTopUp(page, '0.50', '5000');
  await expect(form.getByLabel('When the balance falls below')).toHaveAccessibleDescription('Enter an amount between $1 and $1,000');
  await expect(form.getByLabel('Add this amount')).toHaveAccessibleDescription('Enter an amount between $5 and $1,000');
  await expect(form.getByLabel('When the balance falls below')).toHaveValue('0.50');

  // No card yet: saved, nothing charged.
  form = await saveAutoTopUp(page, '2', '30');
  await expect(form.getByRole('status')).toHaveText('Automatic top-up is on.');
  await expect(form).toContainText('No card is saved yet');
  await page.reload();
  await expect(form.getByLabel('Top up automatically')).toBeChecked();
  await expect(form.getByLabel('When the balance falls below')).toHaveValue('2');
  await expect(form.getByLabel('Add this amount')).toHaveValue('30');

  // A purchase saves the card; a threshold above the balance ($15) charges it $10 off-session.
  await page.getByRole('button', { name: 'Add $10', exact: true }).click();
  await payOnCheckoutPage(page, 'Pay $10.00');
  await page.goto('/billing');
  await expect((await saveAutoTopUp(page, '20', '10')).getByRole('status')).toHaveText('Automatic top-up is on.');
  await page.reload();
  await expect(page.getByTestId('billing-balance')).toHaveText('$25.00');
  const topUp = page.getByTestId('ledger-row').filter({ hasText: 'Automatic top-up' });
  await expect(topUp).toContainText('+$10.00');
  await expect(topUp.getByRole('link', { name: 'Receipt' })).toBeVisible();
});

test('automatic top-up: a declined card is shown on the billing page, and nothing is credited', async ({ page, email }) => {
  await signUp(page, email.replace('@', '+decline@'));
  await verifyEmail(page, email.replace('@', '+decline@'));
  await goToBilling(page);
  await page.getByRole('button', { name: 'Add $10', exact: true }).click();
  await payOnCheckoutPage(page, 'Pay $10.00');
  await page.goto('/billing');
  await expect((await saveAutoTopUp(page, '20', '10')).getByRole('status')).toHaveText('Automatic top-up is on.');
  await page.reload();
  // The card's reason and the issuer's code, and the payment to look up in Stripe — recognised
  // in the production build, where the SDK's error classes come from another bundle's copy.
  const failure = page.getByTestId('auto-top-up-failure');
  await expect(failure).toContainText('The last automatic top-up ($10.00) failed: Your card has insufficient funds. Decline code: insufficient_funds. (Stripe payment pi_');
  await expect(failure).not.toContainText('could not be reached');
  await expect(page.getByTestId('billing-balance')).toHaveText('$15.00');
  await expect(page.getByTestId('ledger-row').filter({ hasText: 'Automatic top-up' })).toHaveCount(0);
});
