import type { Locator } from '@playwright/test';
import { createKey, expect, managementToken, signUp, test } from './fixtures';
import { openCreateLink } from './link-helpers';

// Issue #17, the forms: a refused form takes the person to the first field in error, keeps what
// was typed and says what is wrong next to the field; contradictory limits and too-large numbers
// are refused in words that fit; alerts are listed in order; unknown pages are a 404 of our own.

/** The summary a refused form keeps at its top. */
const summary = (form: Locator) => form.getByRole('alert').filter({ hasText: /^Not saved/ });

async function expectTakenTo(field: Locator, description: string | RegExp) {
  await expect(field).toBeFocused();
  await expect(field).toBeInViewport();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(description);
}

test('create key: contradictory limits and a too-large number are refused next to their field, which gets the focus', async ({ page, email }) => {
  await signUp(page, email);
  await page.goto('/keys');
  await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
  const form = page.getByRole('dialog', { name: 'Create an API key' });
  await form.getByLabel('Name').fill('Contradictory');
  // $10 a day, $1 a week and $0 a month: the $0 is "no spending at all", not "no limit".
  await form.getByLabel('Daily spending limit ($)').fill('10');
  await form.getByLabel('Weekly spending limit ($)').fill('1');
  await form.getByLabel('Monthly spending limit ($)').fill('0');
  await form.getByLabel('Requests per day').fill('99999999999999999999');
  await form.getByRole('button', { name: 'Create', exact: true }).click();

  await expect(summary(form)).toHaveText('Not saved: 3 fields need a change, marked below.');
  await expectTakenTo(form.getByLabel('Requests per day'), 'Must be at most 10,000,000');
  await expect(form.getByLabel('Daily spending limit ($)')).toHaveAccessibleDescription(
    'Must be at most the monthly limit ($0.00, which blocks all spending — leave empty for no limit)',
  );
  await expect(form.getByLabel('Weekly spending limit ($)')).toHaveAccessibleDescription(/^Must be at most the monthly limit \(\$0\.00/);

  // Each refused submit goes to the first field still wrong.
  await form.getByLabel('Requests per day').fill('1000');
  await form.getByLabel('Monthly spending limit ($)').fill('');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expectTakenTo(form.getByLabel('Daily spending limit ($)'), 'Must be at most the weekly limit ($1.00)');
  await expect(summary(form)).toHaveText('Not saved: one field needs a change, marked below.');
  await expect(form.getByLabel('Requests per day')).not.toHaveAttribute('aria-invalid');

  // Dollars say their maximum too.
  await form.getByLabel('Daily spending limit ($)').fill('1');
  await form.getByLabel('Monthly spending limit ($)').fill('99999999999999999999');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expectTakenTo(form.getByLabel('Monthly spending limit ($)'), 'Must be at most $1,000,000');

  await form.getByLabel('Monthly spending limit ($)').fill('');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'API key created' })).toBeVisible();
});

test('create link: an error found by the server takes the long dialog to its field; contradictory link limits are refused', async ({ page, email }) => {
  await signUp(page, email);
  const form = await openCreateLink(page);
  await form.getByLabel('Preset').selectOption('custom');
  await form.getByLabel('Name').fill('Refused upstream');
  // Only the server judges URLs and limits (its URL rules are server-only).
  await form.getByLabel('Upstream base URL').fill('ftp://files.example.com');
  await form.locator('input[name="secret"]').fill('sk-e2e-forms-secret');
  await form.getByLabel('Allowed paths').fill('/v1/chat/completions');
  await form.getByLabel('Requests per minute', { exact: true }).fill('100');
  await form.getByLabel('Requests per hour', { exact: true }).fill('50');
  const create = form.getByRole('button', { name: 'Create', exact: true });
  await create.scrollIntoViewIfNeeded();
  // The test means something only if the field starts out of sight, as in the issue.
  await expect(form.getByLabel('Upstream base URL')).not.toBeInViewport();
  await create.click();

  await expectTakenTo(form.getByLabel('Upstream base URL'), /^Refused: /);
  await expect(summary(form)).toHaveText('Not saved: 2 fields need a change, marked below.');
  await expect(form.getByLabel('Requests per minute', { exact: true })).toHaveAccessibleDescription('Must be at most the limit per hour (50 requests)');
  // What was typed is all still there.
  await expect(form.getByLabel('Name')).toHaveValue('Refused upstream');
  await expect(form.getByLabel('Requests per minute', { exact: true })).toHaveValue('100');
});

test('management API: contradictory limits are a 400 naming the field, on create and on a PATCH against what is stored', async ({ page, email }) => {
  await signUp(page, email);
  const token = await managementToken(page);
  const headers = { authorization: `Bearer ${token}` };

  const refused = await page.request.post('/api/v1/keys', { headers, data: { name: 'x', spending_limits: { day: 10_000_000, week: 1_000_000, month: 0 } } });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toMatchObject({
    type: 'invalid_request_error',
    param: 'spending_limits.day',
    message: 'spending_limits.day: Must be at most the monthly limit ($0.00, which blocks all spending — use null for no limit)',
  });
  const tooLarge = await page.request.post('/api/v1/keys', { headers, data: { name: 'x', rate_limits: { per_day: 1e20 } } });
  expect((await tooLarge.json()).error.message).toBe('rate_limits.per_day: Must be at most 10,000,000');

  const created = await page.request.post('/api/v1/keys', { headers, data: { name: 'hourly', rate_limits: { per_hour: 50 } } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const patched = await page.request.patch(`/api/v1/keys/${id}`, { headers, data: { rate_limits: { per_minute: 100 } } });
  expect(patched.status()).toBe(400);
  expect((await patched.json()).error).toMatchObject({ param: 'rate_limits.per_minute', message: 'rate_limits.per_minute: Must be at most the limit per hour (50 requests)' });
  expect((await (await page.request.get(`/api/v1/keys/${id}`, { headers })).json()).rate_limits.per_minute).toBeNull();
});

test('notifications: a refused save keeps every field as typed, the error next to the wrong one; alerts are listed in order', async ({ page, email }) => {
  test.setTimeout(90_000);
  await signUp(page, email);
  await page.goto('/notifications');
  const form = page.getByRole('form', { name: 'Alert settings' });
  await form.getByLabel('Warn when credit falls below (USD)').fill('-3');
  await form.getByLabel('Account budget per day (USD)').fill('0.000001');
  await form.getByLabel('Per week (USD)').fill('0.000001');
  await form.getByLabel('Per month (USD)').fill('0.000001');
  await form.getByLabel('Webhook URL').fill('ftp://hooks.example.com/conduit');
  await form.getByRole('button', { name: 'Save alert settings' }).click();

  await expectTakenTo(form.getByLabel('Warn when credit falls below (USD)'), 'Must not be negative');
  await expect(form.getByLabel('Warn when credit falls below (USD)')).toHaveValue('-3');
  await expect(form.getByLabel('Webhook URL')).toHaveValue('ftp://hooks.example.com/conduit');
  await expect(form.getByLabel('Webhook URL')).toHaveAccessibleDescription(/^Not allowed: /);
  await expect(form.getByLabel('Account budget per day (USD)')).toHaveValue('0.000001');
  await expect(summary(form)).toHaveText('Not saved: 2 fields need a change, marked below.');

  await form.getByLabel('Warn when credit falls below (USD)').fill('');
  await form.getByLabel('Webhook URL').fill('');
  await form.getByRole('button', { name: 'Save alert settings' }).click();
  await expect(form.getByRole('status')).toHaveText('Alert settings saved.');

  // One priced request passes all three budgets of a millionth of a dollar at once: nine alerts of
  // one drain batch, listed by window, the highest threshold first.
  const secret = await createKey(page, 'Budgeted');
  const answer = await page.request.post('/v1/chat/completions', {
    headers: { authorization: `Bearer ${secret}` },
    data: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 },
  });
  expect(answer.status()).toBe(200);

  const alerts = page.getByTestId('notification');
  await expect(async () => {
    await page.goto('/notifications');
    await expect(alerts).toHaveCount(9, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  const order = (await alerts.allTextContents()).map((text) => /(\d+) % of its (\w+)/.exec(text)?.slice(1).join(' '));
  expect(order).toEqual(['100 daily', '80 daily', '50 daily', '100 weekly', '80 weekly', '50 weekly', '100 monthly', '80 monthly', '50 monthly']);
});

test('404: an unknown address and an unknown key id show our page, with status 404', async ({ page, email }) => {
  const unknown = await page.goto('/no-such-page');
  expect(unknown?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to the dashboard' })).toHaveAttribute('href', '/dashboard');

  await signUp(page, email);
  for (const path of ['/keys/unknown-id', '/links/unknown-id']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
  }
  await page.getByRole('link', { name: 'Go to the dashboard' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});
