import { expect, logIn, logOut, signUp, test } from './fixtures';

const clientIp = () => `203.0.113.${Math.floor(Math.random() * 254) + 1}`;

// Issue #20: a session cookie saved before "Log out" kept opening /billing and running server
// actions. Logging out now revokes the session on the server; the user's other sessions go on.
test('after logging out, a saved copy of the session cookie opens no page and runs no server action', async ({ page, browser, email }) => {
  // Sign-ups and sign-ins (argon2id) on a 2-core machine shared with the server.
  test.setTimeout(90_000);
  await signUp(page, email);
  // Another device of the same person, signed in on its own.
  const phone = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientIp() } });
  const phonePage = await phone.newPage();
  await logIn(phonePage, email);
  await expect(phonePage).toHaveURL(/\/dashboard$/);

  // The cookie as it was before logging out, in a browser of its own, with the settings page
  // (and its server actions) loaded while the session was good.
  const saved = await page.context().cookies();
  const replay = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientIp() } });
  await replay.addCookies(saved);
  const stale = await replay.newPage();
  await stale.goto('/billing');
  await expect(stale.getByTestId('billing-balance')).toBeVisible();
  await stale.goto('/settings');
  await expect(stale.getByLabel('Token name')).toBeVisible();

  await logOut(page);

  // The old cookie no longer opens the billing page...
  const billing = await replay.request.get('/billing', { maxRedirects: 0 });
  expect(billing.status()).toBeGreaterThanOrEqual(300);
  expect(billing.status()).toBeLessThan(400);
  expect(billing.headers().location).toMatch(/\/login$/);
  const other = await replay.newPage();
  await other.goto('/billing');
  await expect(other).toHaveURL(/\/login$/);
  await expect(other.getByTestId('billing-balance')).toHaveCount(0);

  // ...nor runs a server action: creating a management token from the page loaded before.
  await stale.getByLabel('Token name').fill('after logout');
  await stale.getByRole('button', { name: 'Create token' }).click();
  await expect(stale).toHaveURL(/\/login$/);
  await expect(stale.getByRole('dialog', { name: 'Management token created' })).toHaveCount(0);

  // The other device is still signed in, and it shows that no token was created.
  await phonePage.goto('/settings');
  await expect(phonePage.getByTestId('account-email')).toHaveText(email);
  await expect(phonePage.getByText('No management tokens yet.')).toBeVisible();

  // Logging in again in this browser works as before.
  await logIn(page, email);
  await expect(page).toHaveURL(/\/dashboard$/);
  await phone.close();
  await replay.close();
});
