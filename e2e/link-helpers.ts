import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** What the demo page calls: set by the test once the link exists. */
export interface DemoTarget {
  url: string;
  token: string;
}

/**
 * A customer's web page on its own origin: it streams a chat completion through the link
 * with fetch (a cross-origin POST with custom headers, so the browser preflights it first)
 * and appends each chunk to the page as it arrives.
 */
function demoPage(target: DemoTarget): string {
  return `<!doctype html>
<html><head><title>Link demo</title></head>
<body>
<p id="status">loading</p><p>Chunks: <span id="chunks">0</span></p><pre id="answer"></pre>
<script>
const target = ${JSON.stringify(target)};
(async () => {
  const status = document.getElementById('status');
  const answer = document.getElementById('answer');
  let chunks = 0;
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'X-Access-Token': target.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'Tell me about links in five words' }], stream: true }),
    });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    status.textContent = 'streaming';
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      answer.textContent += decoder.decode(value, { stream: true });
      document.getElementById('chunks').textContent = String(chunks);
    }
    status.textContent = 'done';
  } catch (error) {
    status.textContent = 'error: ' + error.message;
  }
})();
</script>
</body></html>`;
}

export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the demo page on 127.0.0.1 and a free port: an origin of its own. */
export async function startDemoPageServer(target: () => DemoTarget): Promise<PageServer> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(demoPage(target()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Opens the create dialog from the links page, whether it is empty or not. */
export async function openCreateLink(page: Page): Promise<Locator> {
  await page.goto('/links');
  await page.getByRole('button', { name: /^Create (link|your first link)$/ }).click();
  return page.getByRole('dialog', { name: 'Create a link' });
}

/** Reads the access token from a show-once dialog and closes it through its confirmation. */
export async function takeToken(dialog: Locator): Promise<string> {
  const token = await dialog.getByLabel('Access token', { exact: true }).inputValue();
  expect(token).toMatch(/^clt_[0-9A-Za-z]{40}$/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.getByRole('button', { name: 'Yes, close' }).click();
  await expect(dialog).toBeHidden();
  return token;
}

/** A server-side call through the link (no Origin header: CORS does not apply). */
export async function callLink(request: APIRequestContext, linkId: string, token: string, path = '/v1/chat/completions') {
  const url = `/proxy/${linkId}${path}`;
  const response =
    path === '/v1/chat/completions'
      ? await request.post(url, {
          headers: { 'x-access-token': token },
          data: { model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'ping' }] },
        })
      : await request.get(url, { headers: { 'x-access-token': token } });
  const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
  return { status: response.status(), code: body?.error?.code ?? null, body };
}

/**
 * "status code" of a call, for expect.poll after a change: the hot path's per-process cache
 * (lib/links/cache.ts) may serve the previous settings for up to a second.
 */
export const linkAnswer = (request: APIRequestContext, linkId: string, token: string, path?: string) => async () => {
  const { status, code } = await callLink(request, linkId, token, path);
  return code ? `${status} ${code}` : String(status);
};

/** Presets fill the base URL, the injection, extra headers and allowed paths; the secret's label follows. */
export async function checkPresetPrefill(form: Locator) {
  await expect(form.getByLabel('Upstream base URL')).toHaveValue('https://api.openai.com');
  await expect(form.getByLabel('Allowed paths')).toHaveValue(/^\/v1\/chat\/completions\n/);
  await form.getByLabel('Preset').selectOption('anthropic');
  await expect(form.getByLabel('Upstream base URL')).toHaveValue('https://api.anthropic.com');
  await expect(form.getByLabel('Header name')).toHaveValue('x-api-key');
  await expect(form.getByLabel('Extra headers')).toHaveValue('anthropic-version: 2023-06-01');
  await expect(form.getByLabel('Anthropic API key')).toHaveAttribute('type', 'password');
  await form.getByLabel('Preset').selectOption('twilio');
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;
  await form.getByLabel('Twilio Account SID').fill(sid);
  await expect(form.getByLabel('Allowed paths')).toHaveValue(new RegExp(`^/Accounts/${sid}/Messages\\.json`));
  await expect(form.getByLabel('Basic auth username')).toHaveValue(sid);
}
