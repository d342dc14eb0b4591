import { expect, signUp, test } from './fixtures';

// Issue #20: after "Delete my account", the account's API key kept calling paid models for a
// week. Through the production server: the key is refused at once, and the account is gone.
test('deleting the account stops its API key at once (/v1 answers 401)', async ({ page, request, email }) => {
  // Sign-ups and sign-ins (argon2id) on a 2-core machine shared with the server.
  test.setTimeout(90_000);
  await signUp(page, email);
  await page.goto('/keys');
  await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
  const form = page.getByRole('dialog', { name: 'Create an API key' });
  await form.getByLabel('Name').fill('Leaving');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  const secret = await page.getByRole('dialog', { name: 'API key created' }).getByLabel('API key', { exact: true }).inputValue();

  const call = () =>
    request.post('/v1/chat/completions', {
      headers: { authorization: `Bearer ${secret}` },
      data: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still here?' }], max_tokens: 5 },
    });
  expect((await call()).status()).toBe(200);

  await page.goto('/settings');
  await page.getByLabel('Your email').fill(email);
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page).toHaveURL(/\/\?account=deleted$/);

  for (let i = 0; i < 3; i++) {
    const refused = await call();
    expect(refused.status()).toBe(401);
    expect((await refused.json()).error.code).toBe('invalid_api_key');
  }
});
