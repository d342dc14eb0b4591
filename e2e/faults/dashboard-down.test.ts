import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { createWorld, type World } from './scenario';
import type { Cable, Conduit } from './services';

/**
 * What a signed-in person sees when a dependency is down: the dashboard says which one cannot be
 * reached (not a generic error), and shows itself again once it is back — in Debian's Chromium,
 * against the production server, with PostgreSQL behind a relay the test cuts and Redis killed.
 */

let world: World;
let server: Conduit;
let database: Cable;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  world = await createWorld();
  ({ server, database } = await world.startServerBehindRelay());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  page = await browser.newPage({ baseURL: server.url });
  await page.goto('/login');
  await page.getByLabel('Email').fill(world.account.email);
  await page.getByLabel('Password').fill(world.account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/dashboard$/);
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function shown(path: string): Promise<{ title: string | null; text: string | null; diagnosis: string | null }> {
  await page.goto(path);
  const alert = page.getByTestId('service-error');
  await alert.waitFor();
  // The page asks /api/ready which dependency is down; wait until it has said.
  await page.waitForFunction(() => document.querySelector('[data-testid="service-error"]')?.getAttribute('data-diagnosis') !== 'checking');
  return { title: await alert.locator('h1').textContent(), text: await alert.locator('p').textContent(), diagnosis: await alert.getAttribute('data-diagnosis') };
}

describe('the dashboard while a dependency is down', () => {
  it('says the database cannot be reached, and comes back with it', async () => {
    await database.cut();
    const down = await shown('/billing');
    await database.mend();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Billing' }).waitFor({ timeout: 15_000 });
    report('Dashboard with PostgreSQL unreachable', { '/billing shows': `${down.title}: ${down.text}` });
    expect(down.diagnosis).toBe('database');
    expect(down.title).toBe('Temporarily unavailable');
    expect(down.text).toContain('database cannot be reached');
  });

  it('says the store of keys, limits and spending cannot be reached while Redis is down', async () => {
    await world.redis.kill();
    const down = await shown('/keys');
    await world.redis.start();
    report('Dashboard with Redis unreachable', { '/keys shows': `${down.title}: ${down.text}` });
    expect(down.diagnosis).toBe('redis');
    expect(down.text).toContain('keys, limits and spending cannot be reached');
    // Back once the server's Redis client has reconnected (at most a second apart): a reload
    // shows the page again, with no restart.
    const heading = page.getByRole('heading', { name: 'API keys' });
    for (let i = 0; i < 20 && !(await heading.isVisible()); i++) {
      await page.goto('/keys');
      await heading.waitFor({ timeout: 1_000 }).catch(() => {});
    }
    await heading.waitFor({ timeout: 1_000 });
  });
});
