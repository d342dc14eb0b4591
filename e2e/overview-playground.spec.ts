import type { Page } from '@playwright/test';
import { createKey, expect, signUp, test } from './fixtures';

// Issue #17: the overview tells a new account what it spent and what to do next, and ticks its
// getting-started steps by itself; the playground sends a prompt through the gateway with one of
// the account's keys (no secret in the browser), streams the answer, and shows its tokens and
// cost — which the overview, the usage page and the credit balance then agree with.

const step = (page: Page, id: string) => page.getByTestId('getting-started').locator(`[data-step="${id}"]`);

test('overview checklist ticks itself; the playground streams through a key and the overview shows the spend', async ({ page, email }) => {
  test.setTimeout(120_000);
  await signUp(page, email);
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Getting started (0 of 4 done)' })).toBeVisible();
  await expect(page.getByTestId('overview-spend-day')).toHaveText('$0.00');
  await expect(page.getByTestId('overview-requests')).toHaveText('0');
  await expect(page.getByTestId('top-keys')).toHaveCount(0);

  // The playground needs a key first, and says so.
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Playground' }).click();
  await expect(page.getByTestId('playground-no-keys')).toContainText('Create a key');

  await createKey(page, 'Playground key');
  await page.goto('/dashboard');
  await expect(step(page, 'createdKey')).toHaveAttribute('data-done', 'true');
  await expect(step(page, 'madeRequest')).toHaveAttribute('data-done', 'false');

  await page.goto('/playground');
  await expect(page.getByLabel('API key')).toHaveValue(/.+/);
  await page.getByLabel('Model', { exact: true }).selectOption('gpt-4o-mini');
  await page.getByLabel('Prompt', { exact: true }).fill('tell me about conduits');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const conversation = page.getByTestId('playground-conversation');
  // The mock upstream echoes the prompt one word per chunk.
  await expect(conversation.locator('[data-role="assistant"]')).toHaveText(/Echo: tell me about conduits$/);
  await expect(page.getByTestId('playground-output-tokens')).toHaveText('5');
  const cost = (await page.getByTestId('playground-cost').textContent())!;
  expect(cost).toMatch(/^\$0\.0000\d+$/);
  // The page never held a key secret.
  expect(await page.content()).not.toMatch(/condt_[0-9A-Za-z]{20,}/);

  // A second turn keeps the conversation.
  await page.getByLabel('Prompt', { exact: true }).fill('and again');
  await page.getByLabel('Prompt', { exact: true }).press('Control+Enter');
  await expect(conversation.locator('[data-role="assistant"]')).toHaveCount(2);
  await expect(conversation.locator('[data-role="user"]')).toHaveCount(2);

  // The overview counts both (the usage drain runs within seconds) and ticks the step.
  await expect(async () => {
    await page.goto('/dashboard');
    await expect(page.getByTestId('overview-requests')).toHaveText('2', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(step(page, 'madeRequest')).toHaveAttribute('data-done', 'true');
  await expect(page.getByTestId('top-keys')).toContainText('Playground key');
  await expect(page.getByTestId('overview-spend-day')).not.toHaveText('$0.00');
  await expect(page.getByTestId('overview-errors')).toHaveText('0');

  // A limit on the key ticks the third step.
  await page.goto('/keys');
  await page.getByRole('link', { name: 'Playground key' }).click();
  const settings = page.getByRole('form', { name: 'Key settings' });
  await settings.getByLabel('Daily spending limit').fill('5');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await page.goto('/dashboard');
  await expect(page.getByRole('heading', { name: 'Getting started (3 of 4 done)' })).toBeVisible();
  await expect(step(page, 'addedCredit').getByRole('link', { name: 'Buy credit' })).toBeVisible();
});

test('the playground refuses what a key refuses, in the gateway’s words, and answers the dashboard only', async ({ page, email, baseURL }) => {
  await signUp(page, email);
  await createKey(page, 'Echo only');

  await page.goto('/playground');
  await page.getByLabel('Model', { exact: true }).selectOption('conduit/echo');
  await page.getByLabel('Max tokens').fill('0');
  await page.getByLabel('Prompt', { exact: true }).fill('hi');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('playground-error')).toContainText('Max tokens must be a whole number');
  await page.getByLabel('Max tokens').fill('');
  await page.getByLabel('Prompt', { exact: true }).fill('hi');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('playground-conversation').locator('[data-role="assistant"]')).toHaveText(/Echo: hi/);
  await expect(page.getByTestId('playground-cost')).toHaveText('$0.00');

  // Another site cannot spend through a signed-in member's session, nor can a made-up key id.
  const keyId = await page.evaluate(() => (document.getElementById('playground-key') as HTMLSelectElement).value);
  const call = (origin: string, id = keyId) =>
    page.request.post('/api/playground', { headers: { origin }, data: { keyId: id, model: 'conduit/echo', messages: [{ role: 'user', content: 'x' }] } });
  const foreign = await call('https://evil.example');
  expect(foreign.status()).toBe(403);
  expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('cross_origin_request');
  const unknown = await call(baseURL!, 'key_doesnotexist');
  expect(unknown.status()).toBe(404);
  expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('key_not_found');
  const bad = await page.request.post('/api/playground', { headers: { origin: baseURL! }, data: { keyId, model: 'conduit/echo', messages: [] } });
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('Write a prompt first.');
});
