import { startMockOpenAI, type MockOpenAI } from '../lib/testing/mock-openai';
import { expect, signUp, test } from './fixtures';
import { callLink, checkPresetPrefill, linkAnswer, openCreateLink, startDemoPageServer, takeToken, type DemoTarget, type PageServer } from './link-helpers';

// Conduit Link from the dashboard: create a link to a mock OpenAI, call it from a web page on
// an allowed origin (streamed) and from one that is not allowed; then manage it.

const API_KEY = 'sk-e2e-links-0123456789abcdef';
let mock: MockOpenAI;
let allowed: PageServer;
let blocked: PageServer;
let target: DemoTarget = { url: '', token: '' };

// The mock holds each stream's last event until the test lets it go, so the test can see the
// first chunks on the page while the "model" is still writing (timing alone is not proof on a busy
// machine: a stalled event loop anywhere merges chunks).
let releaseStreamEnd = () => {};
let streamEnd = Promise.resolve();
function holdStreamEnds() {
  streamEnd = new Promise<void>((resolve) => (releaseStreamEnd = resolve));
}

test.beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: API_KEY, chunkDelayMs: 20, beforeStreamEnd: () => streamEnd });
  allowed = await startDemoPageServer(() => target);
  blocked = await startDemoPageServer(() => target);
});

test.afterAll(async () => {
  await Promise.all([mock?.close(), allowed?.close(), blocked?.close()]);
});

test('links: presets prefill, token and snippets shown once, a page on an allowed origin streams, others are refused', async ({ page, baseURL, email }) => {
  test.setTimeout(120_000);
  await signUp(page, email);
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Links' }).click();
  await expect(page.getByText('No links yet')).toBeVisible();

  const form = await openCreateLink(page);
  await checkPresetPrefill(form);
  await form.getByLabel('Preset').selectOption('openai');

  await form.getByLabel('Name').fill('Chat demo');
  await form.getByLabel('Upstream base URL').fill(mock.url);
  await form.getByLabel('OpenAI API key').fill(API_KEY);
  await form.getByLabel('Allowed origins').fill(`${allowed.origin}/`);
  await form.getByRole('button', { name: 'Create', exact: true }).click();

  const shown = page.getByRole('dialog', { name: 'Link created' });
  await expect(shown.getByText("Copy this token now. You won't be able to see it again.")).toBeVisible();
  const fetchSnippet = await shown.getByTestId('snippet-fetch').textContent();
  const linkId = /\/proxy\/(l[0-9a-z]{23})\//.exec(fetchSnippet ?? '')?.[1];
  expect(linkId, fetchSnippet ?? '').toBeTruthy();
  const token = await shown.getByLabel('Access token', { exact: true }).inputValue();
  expect(fetchSnippet).toContain(`fetch('${baseURL}/proxy/${linkId}/v1/chat/completions'`);
  expect(fetchSnippet).toContain(`'X-Access-Token': '${token}'`);
  await expect(shown.getByTestId('snippet-openai')).toContainText(`baseURL: '${baseURL}/proxy/${linkId}/v1'`);
  await expect(shown.getByTestId('snippet-openai')).toContainText('dangerouslyAllowBrowser: true');
  // The other SDKs are folded away until asked for.
  await expect(shown.getByTestId('snippet-stripe')).toBeHidden();
  await shown.getByText('Other ways to call it').click();
  const port = new URL(baseURL!).port;
  await expect(shown.getByTestId('snippet-stripe')).toContainText(`new Stripe('${token}', { host: '${linkId}.proxy.localhost', port: ${port}, protocol: 'http' })`);
  await expect(shown.getByTestId('snippet-anthropic')).toContainText(`baseURL: '${baseURL}/proxy/${linkId}'`);
  expect(await takeToken(shown)).toBe(token);

  const row = page.getByRole('row', { name: /Chat demo/ });
  await expect(row).toContainText('OpenAI');
  await expect(row).toContainText(mock.url);
  await expect(row.getByTestId('key-status')).toHaveText('active');
  await expect(row.getByTestId('link-tokens')).toHaveText('1');
  expect(await page.content()).not.toContain(token);
  expect(await page.content()).not.toContain(API_KEY);

  // The preflight the page's request needs: granted to the listed origin only.
  const preflight = (origin: string) =>
    page.request.fetch(`/proxy/${linkId}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-access-token' },
    });
  const granted = await preflight(allowed.origin);
  expect(granted.status()).toBe(204);
  expect(granted.headers()['access-control-allow-origin']).toBe(allowed.origin);
  const refused = await preflight(blocked.origin);
  expect(refused.status()).toBe(403);
  expect(refused.headers()['access-control-allow-origin']).toBeUndefined();

  // The customer's page on the allowed origin: the answer streams in, chunk by chunk.
  target = { url: `${baseURL}/proxy/${linkId}/v1/chat/completions`, token };
  const before = mock.requests.length;
  holdStreamEnds();
  const demo = await page.context().newPage();
  await demo.goto(allowed.origin);
  await expect(demo.locator('#status')).toHaveText('streaming', { timeout: 20_000 });
  await expect(demo.locator('#answer')).toContainText('"content":"Echo:"');
  await expect(demo.locator('#answer')).not.toContainText('data: [DONE]');
  releaseStreamEnd();
  await expect(demo.locator('#status')).toHaveText('done');
  await expect(demo.locator('#answer')).toContainText('data: [DONE]');
  expect(Number(await demo.locator('#chunks').textContent())).toBeGreaterThanOrEqual(2);
  expect(mock.requests.length).toBe(before + 1);
  const forwarded = mock.requests.at(-1)!;
  expect(forwarded.headers.authorization).toBe(`Bearer ${API_KEY}`);
  expect(forwarded.headers['x-access-token']).toBeUndefined();
  expect(forwarded.headers.origin).toBeUndefined();

  // The same page on an origin the link does not list: the browser refuses, nothing is forwarded.
  await demo.goto(blocked.origin);
  await expect(demo.locator('#status')).toHaveText(/^error: /);
  await demo.waitForTimeout(300);
  expect(mock.requests.length).toBe(before + 1);
  await demo.close();

  // The usage drain catches up within seconds: the streamed request, and the refusals as errors.
  await row.getByRole('link', { name: 'Chat demo' }).click();
  await expect(page).toHaveURL(new RegExp(`/links/${linkId}$`));
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('usage-requests').locator('dd')).not.toHaveText('0', { timeout: 500 });
    await expect(page.getByTestId('usage-errors').locator('dd')).not.toHaveText('0', { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByTestId('link-secret')).toHaveText(`…${API_KEY.slice(-4)}`);
});

test('links: edit settings, rotate tokens, limits apply, disable, other accounts see nothing, delete', async ({ page, browser, email }) => {
  test.setTimeout(120_000);
  await signUp(page, email);
  const form = await openCreateLink(page);
  await form.getByLabel('Preset').selectOption('custom');
  await expect(form.getByLabel('Upstream base URL')).toHaveValue('');
  await form.getByLabel('Name').fill('Backend');
  await form.getByLabel('Upstream base URL').fill(mock.url);
  await form.getByLabel('Secret', { exact: true }).fill(API_KEY);
  await form.getByLabel('Allowed paths').fill('/v1/chat/completions');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  const first = await takeToken(page.getByRole('dialog', { name: 'Link created' }));
  await page.getByRole('link', { name: 'Backend' }).click();
  await expect(page).toHaveURL(/\/links\/l[0-9a-z]{23}$/);
  const linkId = new URL(page.url()).pathname.split('/').at(-1)!;

  expect(await callLink(page.request, linkId, first)).toMatchObject({ status: 200 });
  expect(await callLink(page.request, linkId, first, '/v1/models')).toMatchObject({ status: 403, code: 'path_not_allowed' });
  // Both are on the link's page once the drain has stored them; the monthly cap set below counts
  // the month's requests so far from these records (the answered one: no cap counts a refusal by path).
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId('usage-requests').locator('dd').textContent();
    })
    .toBe('2');

  // Bad input: the browser's check (origins), then the API's own rules (paths), each by its field.
  const settings = page.getByRole('form', { name: 'Link settings' });
  await expect(settings.getByLabel('Secret', { exact: true })).toHaveValue('');
  await settings.getByLabel('Allowed origins').fill('https://*.example.com');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByLabel('Allowed origins')).toHaveAccessibleDescription(/Wildcards are not allowed/);
  await settings.getByLabel('Allowed origins').fill('');
  await settings.getByLabel('Allowed paths').fill('/v1/chat/completions\nv1/models');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByLabel('Allowed paths')).toHaveAccessibleDescription(/"v1\/models" must start with \//);

  // A new path and limits: saved, shown as stored, and enforced at once.
  await settings.getByLabel('Allowed paths').fill('/v1/chat/completions\nGET /v1/models');
  await settings.getByLabel('Requests per minute', { exact: true }).fill('100');
  await settings.getByLabel('End-user requests per day', { exact: true }).fill('50');
  await settings.getByLabel('Monthly request cap').fill('4');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(settings.getByLabel('Allowed paths')).toHaveValue('/v1/chat/completions\nGET /v1/models');
  await expect(settings.getByLabel('Requests per minute', { exact: true })).toHaveValue('100');
  await expect(settings.getByLabel('Monthly request cap')).toHaveValue('4');
  await expect.poll(linkAnswer(page.request, linkId, first, '/v1/models')).toBe('200');

  // Rotation without downtime: a second token works alongside the first, then the first is revoked.
  await page.getByLabel('Token name').fill('Rotated');
  await page.getByRole('button', { name: 'Create token' }).click();
  const created = page.getByRole('dialog', { name: 'Access token created' });
  await expect(created.getByTestId('snippet-fetch')).toContainText(`/proxy/${linkId}/v1/chat/completions`);
  const second = await takeToken(created);
  const tokens = page.getByRole('table', { name: 'Access tokens' });
  await expect(tokens.getByRole('row')).toHaveCount(3);
  await expect(tokens.getByRole('row', { name: /Rotated/ })).toContainText(`${second.slice(0, 8)}…`);
  expect(await callLink(page.request, linkId, first)).toMatchObject({ status: 200 });
  expect(await callLink(page.request, linkId, second)).toMatchObject({ status: 200 });
  await tokens.getByRole('button', { name: 'Revoke Default' }).click();
  await tokens.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(tokens.getByRole('row')).toHaveCount(2);
  await expect.poll(linkAnswer(page.request, linkId, first)).toBe('401 invalid_access_token');
  // Four requests this month (one of them before the cap was set): the cap is reached.
  expect(await callLink(page.request, linkId, second)).toMatchObject({ status: 429, code: 'monthly_cap_reached' });

  await page.getByRole('button', { name: 'Disable link' }).click();
  await expect(page.getByTestId('key-status')).toHaveText('disabled');
  await expect.poll(linkAnswer(page.request, linkId, second)).toBe('403 link_disabled');
  await page.getByRole('button', { name: 'Enable link' }).click();
  await expect(page.getByTestId('key-status')).toHaveText('active');

  const other = await browser.newPage();
  await signUp(other, `other-${email}`);
  expect((await other.goto(`/links/${linkId}`))?.status()).toBe(404);
  await other.goto('/links');
  await expect(other.getByText('No links yet')).toBeVisible();
  await other.close();

  const remove = page.getByRole('button', { name: 'Delete link' });
  await page.getByLabel('Link name').fill('Back');
  await expect(remove).toBeDisabled();
  await page.getByLabel('Link name').fill('Backend');
  await remove.click();
  await expect(page).toHaveURL(/\/links$/);
  await expect(page.getByText('No links yet')).toBeVisible();
  await expect.poll(linkAnswer(page.request, linkId, second)).toBe('404 link_not_found');
  expect((await page.goto(`/links/${linkId}`))?.status()).toBe(404);
});
