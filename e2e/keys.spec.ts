import type { Locator, Page } from '@playwright/test';
import { expect, signUp, test } from './fixtures';

/** Reads the secret from a show-once dialog, copies it, and closes the dialog through its confirmation. */
async function takeSecret(page: Page, dialog: Locator, label: string): Promise<string> {
  const secret = await dialog.getByLabel(label, { exact: true }).inputValue();
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.getByRole('button', { name: 'Yes, close' }).click();
  await expect(dialog).toBeHidden();
  return secret;
}

async function createKey(page: Page, name: string, fill: (form: Locator) => Promise<void> = async () => {}) {
  await page.goto('/keys');
  const open = page.getByRole('button', { name: /^Create (key|your first key)$/ });
  await open.click();
  const form = page.getByRole('dialog', { name: 'Create an API key' });
  await form.getByLabel('Name').fill(name);
  await fill(form);
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  return page.getByRole('dialog', { name: 'API key created' });
}

test('API keys: create with a spend limit, shown once, edit, validate, disable, regenerate, delete', async ({ page, context, email }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUp(page, email);
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'API keys', exact: true }).click();
  await expect(page.getByText('No API keys yet')).toBeVisible();

  const shown = await createKey(page, 'Production', (form) => form.getByLabel('Daily spending limit').fill('5'));
  await expect(shown.getByText("Copy this key now. You won't be able to see it again.")).toBeVisible();
  // Closing asks first — by button and by Escape — and "Go back" keeps the key on screen.
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown.getByText("You won't see this key again. Close?")).toBeVisible();
  await shown.getByRole('button', { name: 'Go back' }).click();
  await page.keyboard.press('Escape');
  await expect(shown.getByText("You won't see this key again. Close?")).toBeVisible();
  await shown.getByRole('button', { name: 'Go back' }).click();
  const secret = await takeSecret(page, shown, 'API key');
  expect(secret).toMatch(/^condt_[0-9A-Za-z]{40}$/);

  // After a reload the key exists only as its start: not in the HTML, the URL or a cookie.
  const html = await (await page.reload())!.text();
  expect(html).not.toContain(secret);
  expect(page.url()).not.toContain(secret);
  expect(JSON.stringify(await context.cookies())).not.toContain(secret);
  const row = page.getByRole('row', { name: /Production/ });
  await expect(row).toContainText(`${secret.slice(0, 10)}…`);
  await expect(row.getByTestId('key-status')).toHaveText('active');
  await expect(row).toContainText('$0.00 / $5.00');
  await expect(row).toContainText('resets 00:00 UTC');
  await expect(row).toContainText('$0.00 / no limit');
  expect(await page.content()).not.toContain(secret);

  // Edit the limits on the key's page.
  await row.getByRole('link', { name: 'Production' }).click();
  await expect(page).toHaveURL(/\/keys\/key_\w+$/);
  const keyUrl = page.url();
  const settings = page.getByRole('form', { name: 'Key settings' });
  await expect(settings.getByLabel('Daily spending limit')).toHaveValue('5');
  await settings.getByLabel('Requests per minute').fill('60');
  await settings.getByLabel('Monthly spending limit').fill('100');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByTestId('spend-month')).toContainText('$0.00 / $100.00');

  // Bad input: each problem next to its field, and nothing is saved.
  await settings.getByLabel('IP allowlist').fill('203.0.113.7\n10.0.0.0/33');
  await settings.getByLabel('Daily spending limit').fill('-5');
  await settings.getByLabel('Requests per hour').fill('-1');
  await settings.getByLabel('Expires').fill('2001-01-01T00:00');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByLabel('IP allowlist')).toHaveAccessibleDescription(/10\.0\.0\.0\/33.*too long/);
  await expect(settings.getByLabel('Daily spending limit')).toHaveAccessibleDescription('Must not be negative');
  await expect(settings.getByLabel('Requests per hour')).toHaveAccessibleDescription(/at least 1/);
  await expect(settings.getByLabel('Expires')).toHaveAccessibleDescription('Must be in the future');
  await page.reload();
  await expect(settings.getByLabel('IP allowlist')).toHaveValue('');
  await expect(settings.getByLabel('Daily spending limit')).toHaveValue('5');
  await expect(settings.getByLabel('Requests per hour')).toHaveValue('');
  await expect(settings.getByLabel('Expires')).toHaveValue('');

  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'API keys', exact: true }).click();
  await expect(row).toContainText('60/min');
  await expect(row).toContainText('$0.00 / $100.00');

  // Disable, then enable.
  await page.goto(keyUrl);
  await page.getByRole('button', { name: 'Disable key' }).click();
  await expect(page.getByTestId('key-status')).toHaveText('disabled');
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'API keys', exact: true }).click();
  await expect(row.getByTestId('key-status')).toHaveText('disabled');
  await page.goto(keyUrl);
  await page.getByRole('button', { name: 'Enable key' }).click();
  await expect(page.getByTestId('key-status')).toHaveText('active');

  // Regenerate: a confirmation, then a new key, shown once.
  await page.getByRole('button', { name: 'Regenerate key' }).click();
  await page.getByRole('button', { name: 'Yes, regenerate' }).click();
  const second = await takeSecret(page, page.getByRole('dialog', { name: 'API key regenerated' }), 'API key');
  expect(second).toMatch(/^condt_[0-9A-Za-z]{40}$/);
  expect(second).not.toBe(secret);
  await expect(page.getByText(`${second.slice(0, 10)}…`)).toBeVisible();

  // The audit log says who did what, updates field by field, money in dollars.
  const log = page.getByRole('table', { name: 'Audit log' });
  const actions = log.locator('tbody tr td:nth-child(2)');
  await expect(actions).toHaveText(['Regenerated', 'Enabled', 'Disabled', 'Updated', 'Created']);
  const updated = log.getByRole('row', { name: /Updated/ });
  await expect(updated).toContainText(email);
  await expect(updated).toContainText('Requests per minute: no limit → 60');
  await expect(updated).toContainText('Monthly spending limit: no limit → $100.00');

  // Delete: only after typing the name.
  const remove = page.getByRole('button', { name: 'Delete key' });
  await expect(remove).toBeDisabled();
  await page.getByLabel('Key name').fill('Prod');
  await expect(remove).toBeDisabled();
  await page.getByLabel('Key name').fill('Production');
  await remove.click();
  await expect(page).toHaveURL(/\/keys$/);
  await expect(page.getByText('No API keys yet')).toBeVisible();
  expect((await page.goto(keyUrl))?.status()).toBe(404);
});

test("another account's key page is not found", async ({ page, email, browser }) => {
  await signUp(page, email);
  await (await createKey(page, 'Mine')).getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Yes, close' }).click();
  await page.getByRole('link', { name: 'Mine' }).click();
  await expect(page).toHaveURL(/\/keys\/key_\w+$/);

  const other = await browser.newPage();
  await signUp(other, `other-${email}`);
  expect((await other.goto(page.url()))?.status()).toBe(404);
  await other.goto('/keys');
  await expect(other.getByText('No API keys yet')).toBeVisible();
  await other.close();
});

test('management tokens: create in settings, call /api/v1/keys with it, revoke → 401', async ({ page, context, email }) => {
  test.setTimeout(60_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signUp(page, email);
  const shown = await createKey(page, 'Made in the UI');
  await takeSecret(page, shown, 'API key');

  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByText('No management tokens yet.')).toBeVisible();
  await page.getByLabel('Token name').fill('CI deploys');
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Management token created' });
  await expect(dialog.getByText("Copy this token now. You won't be able to see it again.")).toBeVisible();
  const shownToken = await dialog.getByLabel('Management token', { exact: true }).inputValue();
  const origin = new URL(page.url()).origin;
  await expect(dialog.getByTestId('curl-example')).toHaveText(`curl -H "Authorization: Bearer ${shownToken}" ${origin}/api/v1/keys`);
  const token = await takeSecret(page, dialog, 'Management token');
  expect(token).toMatch(/^cmt_[0-9A-Za-z]{40}$/);

  const row = page.getByRole('row', { name: /CI deploys/ });
  await expect(row).toContainText(`${token.slice(0, 8)}…`);
  expect(await page.content()).not.toContain(token);

  const listed = await page.request.get('/api/v1/keys', { headers: { authorization: `Bearer ${token}` } });
  expect(listed.status()).toBe(200);
  const body = (await listed.json()) as { data: { name: string; start: string }[] };
  expect(body.data.map((key) => key.name)).toEqual(['Made in the UI']);

  await row.getByRole('button', { name: 'Revoke CI deploys' }).click();
  await row.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByText('No management tokens yet.')).toBeVisible();
  const refused = await page.request.get('/api/v1/keys', { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
});
