import { request as httpRequest } from 'node:http';
import type { APIRequestContext } from '@playwright/test';
import { SignJWT } from 'jose';
import { openAIDuration } from '../lib/gateway/rate-headers';
import { awayFromMinuteEdge } from '../lib/testing/clock';
import { startMockOpenAI, type MockOpenAI } from '../lib/testing/mock-openai';
import { createKey, expect, managementToken, signUp, test } from './fixtures';

// Issue #17, the API side, through the production server: the models page and what the gateway
// serves on this installation (the e2e server has an OpenAI key and no Anthropic key), keys
// restricted to providers with a description, a link whose host does not resolve, one 429 for
// keys and links, and the seed's link URL form ({PROXY_DOMAIN}/{linkId}/…).

const UPSTREAM_KEY = 'sk-e2e-polish-api-0123456789';
const JWT_SECRET = 'an-e2e-shared-secret-of-32-characters-at-least';
let upstream: MockOpenAI;

test.beforeAll(async () => {
  upstream = await startMockOpenAI({ apiKey: UPSTREAM_KEY });
});
test.afterAll(async () => {
  await upstream?.close();
});

const chat = (request: APIRequestContext, secret: string, model: string) =>
  request.post('/v1/chat/completions', { headers: { authorization: `Bearer ${secret}` }, data: { model, messages: [{ role: 'user', content: 'hi' }] } });

async function errorOf(response: Awaited<ReturnType<APIRequestContext['get']>>) {
  return ((await response.json()) as { error: { message: string; type: string; code: string; param: string | null } }).error;
}

test('models page: prices per 1M tokens, sizes and availability, as the gateway serves them; no sideways scroll at 390 px', async ({ page, email }) => {
  test.setTimeout(90_000);
  await signUp(page, email);
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Models', exact: true }).click();
  await expect(page).toHaveURL(/\/models$/);
  await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();

  const row = (id: string) => page.locator(`tr[data-model="${id}"]`);
  const cell = (id: string, column: string) => row(id).locator(`[data-column="${column}"]`);
  // From the catalog (lib/gateway/models.json): $2.50 / $10.00 / $1.25 per 1M, 128,000 / 16,384 tokens.
  await expect(cell('gpt-4o', 'availability')).toHaveText('Available');
  await expect(cell('gpt-4o', 'input')).toHaveText('$2.50');
  await expect(cell('gpt-4o', 'output')).toHaveText('$10.00');
  await expect(cell('gpt-4o', 'cached-input')).toHaveText('$1.25');
  await expect(cell('gpt-4o', 'context')).toHaveText('128,000');
  await expect(cell('gpt-4o', 'max-output')).toHaveText('16,384');
  await expect(cell('gpt-4o-mini', 'input')).toHaveText('$0.15');
  await expect(cell('gpt-4.1-mini', 'context')).toHaveText('1,047,576');
  // Embeddings produce no output tokens; the offline echo costs nothing and is always there.
  await expect(cell('text-embedding-3-small', 'output')).toHaveText('—');
  await expect(cell('text-embedding-3-small', 'input')).toHaveText('$0.02');
  await expect(cell('conduit/echo', 'input')).toHaveText('Free');
  await expect(cell('conduit/echo', 'availability')).toHaveText('Available');
  // No Anthropic key on this server.
  await expect(cell('claude-sonnet-4', 'availability')).toHaveText('Not configured');
  await expect(cell('claude-sonnet-4', 'output')).toHaveText('$15.00');
  await expect(page.getByTestId('models-not-configured')).toContainText('Anthropic');

  // The gateway agrees with the page.
  const secret = await createKey(page, 'Models');
  const listed = await page.request.get('/v1/models', { headers: { authorization: `Bearer ${secret}` } });
  const ids = ((await listed.json()) as { data: { id: string }[] }).data.map((model) => model.id);
  expect(ids).toEqual(expect.arrayContaining(['conduit/echo', 'gpt-4o', 'text-embedding-3-small']));
  expect(ids.filter((id) => id.startsWith('claude'))).toEqual([]);
  const unconfigured = await chat(page.request, secret, 'claude-sonnet-4');
  expect(unconfigured.status()).toBe(503);
  expect(unconfigured.headers()['x-should-retry']).toBe('false');
  expect(await errorOf(unconfigured)).toMatchObject({ type: 'api_error', code: 'provider_not_configured', param: 'model' });
  expect((await chat(page.request, secret, 'gpt-4o-mini')).status()).toBe(200);

  // A phone: the table scrolls inside its card, never the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/models');
  await expect(row('gpt-4o')).toBeAttached();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('keys: a description and allowed providers in the create and edit forms; the gateway enforces the providers', async ({ page, email }) => {
  test.setTimeout(90_000);
  await signUp(page, email);
  const secret = await createKey(page, 'OpenAI only', async (form) => {
    await form.getByLabel('Description').fill('Checkout assistant, production');
    await form.getByLabel('OpenAI', { exact: true }).check();
  });
  const row = page.getByRole('row', { name: /OpenAI only/ });
  await expect(row).toContainText('Checkout assistant, production');

  // Another provider's model is refused as a model outside allowed_models is: 403 model_not_allowed.
  const echo = await chat(page.request, secret, 'conduit/echo');
  expect(echo.status()).toBe(403);
  expect(await errorOf(echo)).toEqual({
    message: "This API key is not allowed to use the model 'conduit/echo' (it may only use models of OpenAI).",
    type: 'authorization_error',
    param: 'model',
    code: 'model_not_allowed',
  });
  expect((await chat(page.request, secret, 'gpt-4o-mini')).status()).toBe(200);
  const models = await page.request.get('/v1/models', { headers: { authorization: `Bearer ${secret}` } });
  expect(new Set(((await models.json()) as { data: { owned_by: string }[] }).data.map((model) => model.owned_by))).toEqual(new Set(['openai']));

  // The key's page shows both; switching to the echo provider takes effect within a second or two.
  await row.getByRole('link', { name: 'OpenAI only' }).click();
  await expect(page.getByText('Checkout assistant, production').first()).toBeVisible();
  const settings = page.getByRole('form', { name: 'Key settings' });
  await expect(settings.getByLabel('Description')).toHaveValue('Checkout assistant, production');
  await expect(settings.getByLabel('OpenAI', { exact: true })).toBeChecked();
  await settings.getByLabel('OpenAI', { exact: true }).uncheck();
  await settings.getByLabel('Conduit echo (offline)', { exact: true }).check();
  await settings.getByLabel('Description').fill('Echo tests');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByText('Allowed providers').last()).toBeVisible();
  await expect.poll(async () => (await chat(page.request, secret, 'conduit/echo')).status()).toBe(200);
  expect((await chat(page.request, secret, 'gpt-4o-mini')).status()).toBe(403);

  // Through the management API too.
  const token = await managementToken(page);
  const keys = await page.request.get('/api/v1/keys', { headers: { authorization: `Bearer ${token}` } });
  expect(((await keys.json()) as { data: unknown[] }).data[0]).toMatchObject({ description: 'Echo tests', allowed_providers: ['echo'] });
  const bad = await page.request.post('/api/v1/keys', { headers: { authorization: `Bearer ${token}` }, data: { name: 'x', allowed_providers: ['bedrock'] } });
  expect(bad.status()).toBe(400);
  expect(await errorOf(bad)).toMatchObject({ type: 'invalid_request_error', param: 'allowed_providers.0' });
});

test("links: an unresolvable host is 502 upstream_unreachable; a per-user 429 is worded and headed like a key's", async ({ page, email }) => {
  test.setTimeout(90_000);
  await signUp(page, email);
  const token = await managementToken(page);
  const auth = { authorization: `Bearer ${token}` };
  const newLink = async (data: Record<string, unknown>) => {
    const response = await page.request.post('/api/v1/links', { headers: auth, data: { name: 'e2e', secret: UPSTREAM_KEY, injection: { type: 'bearer' }, allowed_paths: ['/v1/models'], ...data } });
    expect(response.status()).toBe(201);
    return (await response.json()) as { id: string; access_token: string };
  };

  // RFC 6761: .invalid never resolves.
  const nowhere = await newLink({ upstream_base_url: 'https://conduit-e2e.invalid' });
  const unreachable = await page.request.get(`/proxy/${nowhere.id}/v1/models`, { headers: { 'x-access-token': nowhere.access_token } });
  expect(unreachable.status()).toBe(502);
  expect(await errorOf(unreachable)).toMatchObject({ code: 'upstream_unreachable', message: expect.stringContaining('could not be resolved') });

  // A per-end-user limit of 1 a minute, and a key with the same limit.
  const perUser = await newLink({ upstream_base_url: upstream.url, jwt: { algorithm: 'HS256', secret: JWT_SECRET }, end_user_rate_limits: { per_minute: 1 } });
  const jwt = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(JWT_SECRET));
  const asAlice = () => page.request.get(`/proxy/${perUser.id}/v1/models`, { headers: { 'x-access-token': perUser.access_token, authorization: `Bearer ${jwt}` } });
  const keyResponse = await page.request.post('/api/v1/keys', { headers: auth, data: { name: 'slow', rate_limits: { per_minute: 1 } } });
  const key = ((await keyResponse.json()) as { key: string }).key;

  // Both requests of each pair in one minute window (the windows are aligned to the clock).
  await awayFromMinuteEdge();
  expect((await asAlice()).status()).toBe(200);
  expect((await chat(page.request, key, 'conduit/echo')).status()).toBe(200);
  const linkRefusal = await asAlice();
  const keyRefusal = await chat(page.request, key, 'conduit/echo');
  for (const [refusal, subject] of [
    [linkRefusal, 'per end user of this link'],
    [keyRefusal, 'for this API key'],
  ] as const) {
    expect(refusal.status()).toBe(429);
    const headers = refusal.headers();
    const error = await errorOf(refusal);
    expect(error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(error.message).toBe(`Rate limit reached: 1 requests per minute ${subject}. Try again in ${headers['x-ratelimit-reset-requests']}.`);
    expect(headers['retry-after']).toMatch(/^\d+$/);
    expect(headers['x-ratelimit-limit-requests']).toBe('1');
    expect(headers['x-ratelimit-remaining-requests']).toBe('0');
    // retry-after is the same wait in whole seconds (in OpenAI's format a full minute reads "1m0s").
    expect(headers['x-ratelimit-reset-requests']).toBe(openAIDuration(Number(headers['retry-after']) * 1_000));
  }
});

/** A request to the production server under another Host (a browser or fetch cannot set it). */
function underHost(baseURL: string, host: string, path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(baseURL);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, headers: { host, ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

test("the seed's link URL: https://{PROXY_DOMAIN}/{linkId}/v1/… reaches the link; the app still answers on that host", async ({ page, email, baseURL }) => {
  await signUp(page, email);
  const token = await managementToken(page);
  const created = await page.request.post('/api/v1/links', {
    headers: { authorization: `Bearer ${token}` },
    data: { name: 'seed form', preset: 'openai', upstream_base_url: upstream.url, secret: UPSTREAM_KEY },
  });
  const link = (await created.json()) as { id: string; access_token: string };
  // The e2e server's PROXY_DOMAIN is proxy.localhost (playwright.config.ts).
  const host = `proxy.localhost:${new URL(baseURL!).port}`;
  const models = await underHost(baseURL!, host, `/${link.id}/v1/models`, { 'x-access-token': link.access_token });
  expect(models.status).toBe(200);
  expect(JSON.parse(models.body)).toMatchObject({ object: 'list' });
  expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  const denied = await underHost(baseURL!, host, `/${link.id}/v1/files`, { 'x-access-token': link.access_token });
  expect(denied.status).toBe(403);
  expect((await underHost(baseURL!, host, '/login')).status).toBe(200);
});
