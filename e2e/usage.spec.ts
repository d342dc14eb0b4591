import type { Locator, Page } from '@playwright/test';
import { createKey, expect, signUp, test } from './fixtures';

// The usage page on real traffic: requests through two keys (some refused), drained by the
// server's own usage drain into the rollups; then the charts, the filters, the request log and
// the CSV export as a user sees them.

async function call(page: Page, secret: string, model: string, user: string) {
  const response = await page.request.post('/v1/chat/completions', {
    headers: { authorization: `Bearer ${secret}` },
    data: { model, user, messages: [{ role: 'user', content: `Hello from ${user}` }] },
  });
  return response.status();
}

const filter = (page: Page, name: string) => page.getByTestId('usage-filters').getByLabel(name, { exact: true });
const total = (page: Page, name: string) => page.getByTestId(`total-${name}`).locator('dd');
const bars = (chart: Locator) => chart.locator('.recharts-bar-rectangle');

test('usage: charts for real traffic, filters change them, request log and CSV export follow the filters', async ({ page, email }) => {
  test.setTimeout(120_000);
  await signUp(page, email);
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Usage' }).click();
  await expect(page.getByTestId('usage-empty')).toBeVisible();

  const alpha = await createKey(page, 'Alpha');
  const beta = await createKey(page, 'Beta');
  for (let i = 0; i < 4; i++) expect(await call(page, alpha, 'conduit/echo', `alice-${i % 2}`)).toBe(200);
  for (let i = 0; i < 2; i++) expect(await call(page, alpha, 'no-such-model', 'alice-0')).toBe(404);
  for (let i = 0; i < 3; i++) expect(await call(page, beta, 'conduit/echo', 'bob')).toBe(200);

  // The drain runs every second: reload until all nine requests are in the rollups.
  await expect(async () => {
    await page.goto('/usage?range=24h');
    await expect(total(page, 'requests')).toHaveText('9', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(total(page, 'error-rate')).toHaveText('22.2 %');
  const requests = page.getByTestId('chart-requests');
  await expect(requests.locator('svg').first()).toBeVisible();
  await expect.poll(() => bars(requests).count()).toBeGreaterThan(0);
  for (const chart of ['chart-spend', 'chart-tokens', 'chart-latency', 'chart-errors']) await expect(page.getByTestId(chart).locator('svg').first()).toBeVisible();
  const allBars = await bars(requests).count();

  // A filter changes the figures and the charts: only key Alpha, then only its refusals.
  await filter(page, 'Key').selectOption({ label: 'Alpha' });
  await expect(page).toHaveURL(/key=key_/);
  await expect(total(page, 'requests')).toHaveText('6');
  await filter(page, 'Status').selectOption('4xx');
  await expect(page).toHaveURL(/status=4xx/);
  await expect(total(page, 'requests')).toHaveText('2');
  await expect(total(page, 'error-rate')).toHaveText('100.0 %');
  await expect(total(page, 'tokens-in-out')).toHaveText('0 / 0');
  await expect.poll(() => bars(requests).count()).toBeLessThan(allBars);

  // Grouping by key stacks spend per key, with a legend naming them.
  await filter(page, 'Status').selectOption('');
  await filter(page, 'Key').selectOption('');
  await expect(total(page, 'requests')).toHaveText('9');
  await filter(page, 'Group by').selectOption('key');
  const legend = page.getByTestId('chart-spend').locator('.recharts-legend-wrapper');
  await expect(legend).toContainText('Alpha');
  await expect(legend).toContainText('Beta');

  // The request log shows the same requests, filtered the same way, and one request's detail.
  await page.getByRole('link', { name: 'Request log' }).click();
  await expect(page.getByTestId('log-row')).toHaveCount(9);
  await filter(page, 'End user').fill('bob');
  await filter(page, 'End user').press('Enter');
  await expect(page).toHaveURL(/endUser=bob/);
  await expect(page.getByTestId('log-row')).toHaveCount(3);
  await page.getByTestId('log-row').first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/\S{8,}/);
  await expect(page.getByText('conduit/echo').first()).toBeVisible();

  // The export is what the filters select: bob's three requests, parsed back.
  const csv = await (await page.request.get('/usage/export?range=24h&endUser=bob')).text();
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^time_utc,request_id,key_id,key_name,/);
  expect(lines).toHaveLength(4);
  for (const line of lines.slice(1)) expect(line).toContain(',Beta,');
});
