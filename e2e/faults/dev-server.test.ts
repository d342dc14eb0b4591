import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForHttp } from '@/lib/bench/children';
import { report } from './report';

/**
 * The first of the README's two commands, `npm run dev`, opened in a browser the two ways a
 * developer types it: http://localhost:3000 and http://127.0.0.1:3000. Next serves its dev
 * resources (scripts, HMR) only to the hosts it allows, and a page loaded from another renders
 * but never hydrates — buttons that open dialogs do nothing. On the embedded default, in Debian's
 * Chromium; every request the pages make must be answered (no 404 for an icon either).
 */

let dev: ChildProcess;
let port: number;
let output = '';
let browser: Browser;

beforeAll(async () => {
  port = await freePort();
  const environment: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'conduit-dev-')) };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'REDIS_CLUSTER_URLS']) delete environment[name];
  // `npm run dev` is `next dev`: the same, on a port of its own.
  dev = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'dev', '--port', String(port)], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForHttp(`http://localhost:${port}/login`, 170_000, dev).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  dev?.kill('SIGTERM');
});

describe('npm run dev', () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    it(`works at http://${host}: sign up, then a button that needs the page's scripts opens its dialog`, async () => {
      const page = await browser.newPage({ baseURL: `http://${host}:${port}` });
      const failed: string[] = [];
      page.on('response', (response) => response.status() >= 400 && failed.push(`${response.status()} ${new URL(response.url()).pathname}`));
      const started = Date.now();
      await page.goto('/signup');
      await page.getByLabel('Email').fill(`dev-${host}-${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('a dev server password 1');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(/\/dashboard$/, { timeout: 90_000 });
      await page.goto('/keys');
      await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
      await page.getByRole('dialog', { name: 'Create an API key' }).waitFor({ timeout: 30_000 });
      report(`npm run dev at http://${host}`, { 'sign-up to a working dialog (s, first compile included)': Math.round((Date.now() - started) / 1000), 'failed requests': failed.join(', ') || 'none' });
      expect(failed).toEqual([]);
      expect(output).not.toContain('Blocked cross-origin request');
      await page.close();
    }, 180_000);
  }
});
