import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, logOut, signUp, test, verifyEmail } from './fixtures';
import { openCreateLink, takeToken } from './link-helpers';

// Issue #20 from outside, against the production build: security headers on every surface, a
// CSP every dashboard page satisfies (no violation in Chromium's console, charts drawn), framing
// refused, and Auth.js's URLs on the host the browser used.

const port = Number(process.env.E2E_PORT ?? 3100);
const app = `http://127.0.0.1:${port}`;
const mockOpenAI = `http://127.0.0.1:${port + 12}`;

/** Everything Chromium says about the Content Security Policy on this page, from now on. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/content.security.policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  // The event too, in case a violation is reported without a console line.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`Content Security Policy violation: ${event.violatedDirective} refused ${event.blockedURI || 'inline'}`);
    });
  });
  return violations;
}

/** Opens a page and waits until Next.js's scripts have run (they would not, were they refused). */
async function visit(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(() => Boolean((window as { next?: { version?: string } }).next?.version)), `${path} hydrated`).toBe(true);
}

/** A page on an origin of its own (another port) that frames `src`. */
async function startFramer(): Promise<{ origin: string; framing(src: string): string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url?.startsWith('/plain') ? '<p>An ordinary page that anyone may frame.</p>' : `<!doctype html><title>Framer</title><iframe id="target" src="${src.replaceAll('"', '&quot;')}" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    framing: (src) => `${origin}/?src=${encodeURIComponent(src)}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A GET with headers a browser would not let a page set (Host, X-Forwarded-*). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${app}${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

test('security headers on pages, /api and the hot path; HSTS only over https from the trusted proxy', async ({ request }) => {
  const page = await request.get('/login');
  const headers = page.headers();
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['permissions-policy']).toContain('camera=()');
  const csp = headers['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'(;|$)/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(headers['strict-transport-security']).toBeUndefined();
  // A fresh nonce per response.
  expect((await request.get('/login')).headers()['content-security-policy']).not.toBe(csp);

  const api = (await request.get('/api/v1/keys')).headers();
  expect(api['content-security-policy']).toContain("default-src 'none'");
  expect(api['x-content-type-options']).toBe('nosniff');
  expect(api['x-frame-options']).toBe('DENY');

  // /v1 is served outside Next.js: nosniff, and no page policy on an API answer.
  const gateway = (await request.get('/v1/models')).headers();
  expect(gateway['x-content-type-options']).toBe('nosniff');
  expect(gateway['content-security-policy']).toBeUndefined();

  // The e2e server trusts one proxy (TRUSTED_PROXY_COUNT=1): its X-Forwarded-Proto says https.
  const overHttps = await rawGet('/login', { 'x-forwarded-proto': 'https' });
  expect(overHttps.headers['strict-transport-security']).toBe('max-age=63072000');
  expect(overHttps.headers['content-security-policy']).toContain('upgrade-insecure-requests');
});

test('every page satisfies its CSP in Chromium: no violation, scripts run, charts drawn, Stripe Checkout reached', async ({ page, email }) => {
  test.setTimeout(120_000);
  const violations = await watchCsp(page);
  for (const path of ['/', '/login', '/signup', '/forgot-password']) await visit(page, path);
  await signUp(page, email);
  await verifyEmail(page, email);

  // Something on every page: a key, a link, traffic through both, drained into the usage rollups.
  await page.goto('/keys');
  await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
  const keyForm = page.getByRole('dialog', { name: 'Create an API key' });
  await keyForm.getByLabel('Name').fill('CSP check');
  await keyForm.getByRole('button', { name: 'Create', exact: true }).click();
  const shown = page.getByRole('dialog', { name: 'API key created' });
  const secret = await shown.getByLabel('API key', { exact: true }).inputValue();
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.getByRole('button', { name: 'Yes, close' }).click();
  const linkForm = await openCreateLink(page);
  await linkForm.getByLabel('Preset').selectOption('custom');
  await linkForm.getByLabel('Name').fill('CSP link');
  await linkForm.getByLabel('Upstream base URL').fill(mockOpenAI);
  await linkForm.getByLabel('Secret', { exact: true }).fill('sk-mock-openai-e2e');
  await linkForm.getByLabel('Allowed paths').fill('/v1/chat/completions');
  await linkForm.getByRole('button', { name: 'Create', exact: true }).click();
  await takeToken(page.getByRole('dialog', { name: 'Link created' }));
  for (let i = 0; i < 3; i++) {
    const answer = await page.request.post('/v1/chat/completions', {
      headers: { authorization: `Bearer ${secret}` },
      data: { model: 'conduit/echo', messages: [{ role: 'user', content: `csp ${i}` }] },
    });
    expect(answer.status()).toBe(200);
  }
  await expect(async () => {
    await page.goto('/usage?range=24h');
    await expect(page.getByTestId('total-requests').locator('dd')).toHaveText('3', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  await visit(page, '/usage?range=24h');
  const chart = page.getByTestId('chart-requests');
  await expect(chart.locator('svg').first()).toBeVisible();
  await expect.poll(() => chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);

  await visit(page, '/keys');
  const keyPage = await page.locator('a[href^="/keys/key_"]').first().getAttribute('href');
  await visit(page, '/links');
  const linkPage = await page.locator('a[href^="/links/l"]').first().getAttribute('href');
  await visit(page, '/usage/requests');
  const requestPage = await page.locator('a[href^="/usage/requests/"]').first().getAttribute('href');
  const pages = ['/dashboard', keyPage!, linkPage!, requestPage!, '/models', '/playground', '/billing', '/billing/success?session_id=cs_unknown', '/billing/cancel', '/notifications', '/settings'];
  for (const path of pages) await visit(page, path);

  // Stripe Checkout (here the stand-in's hosted page) is still reached from the billing page.
  await visit(page, '/billing');
  await page.getByRole('button', { name: 'Add $10', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:${port + 11}/checkout/`));

  expect(violations).toEqual([]);
});

test('another origin cannot frame the dashboard (clickjacking): the frame is refused, its balance never shown', async ({ page, email }) => {
  await signUp(page, email);
  const [framer, elsewhere] = await Promise.all([startFramer(), startFramer()]);
  try {
    // The harness does show a frame from another origin that does not refuse it.
    await page.goto(framer.framing(`${elsewhere.origin}/plain`));
    await expect(page.frameLocator('#target').getByText('An ordinary page that anyone may frame.')).toBeVisible();

    for (const path of ['/billing', '/login']) {
      const refused = page.waitForEvent('console', (message) => message.text().includes("frame-ancestors 'none'"));
      await page.goto(framer.framing(`${app}${path}`));
      await refused;
      const frame = page.frameLocator('#target');
      await expect(frame.getByTestId('billing-balance')).toHaveCount(0);
      await expect(frame.getByText('Conduit')).toHaveCount(0);
    }
  } finally {
    await Promise.all([framer.close(), elsewhere.close()]);
  }
});

test("Auth.js answers URLs on the request's host, and signing out stays on it", async ({ page, email }) => {
  const onHost = JSON.parse((await rawGet('/api/auth/providers', { host: 'conduit.example.test' })).body) as Record<string, { callbackUrl: string }>;
  expect(onHost.credentials!.callbackUrl).toBe('http://conduit.example.test/api/auth/callback/credentials');
  const forwarded = await rawGet('/api/auth/providers', { 'x-forwarded-host': 'conduit.example.com', 'x-forwarded-proto': 'https' });
  expect((JSON.parse(forwarded.body) as Record<string, { callbackUrl: string }>).credentials!.callbackUrl).toBe('https://conduit.example.com/api/auth/callback/credentials');

  // In the browser, on another name for the same server.
  const other = `http://localhost:${port}`;
  await page.goto(`${other}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse 42');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(`${other}/dashboard`);
  await logOut(page);
  await expect(page).toHaveURL(`${other}/login`);
});
