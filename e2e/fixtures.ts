import { test as base, expect, type Page } from '@playwright/test';

/** A unique email and a unique client IP per test: tests run in parallel and repeatedly. */
export const test = base.extend<{ email: string }>({
  email: async ({}, use, testInfo) => {
    await use(`e2e-${testInfo.workerIndex}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`);
  },
  context: async ({ context }, use) => {
    const octet = () => Math.floor(Math.random() * 254) + 1;
    await context.setExtraHTTPHeaders({ 'x-forwarded-for': `198.51.${octet()}.${octet()}` });
    await use(context);
  },
});

export { expect };

export const PASSWORD = 'correct horse 42';

export async function signUp(page: Page, email: string, password = PASSWORD) {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** The form's own alert (Next.js also renders an empty route announcer with role="alert"). */
export function formAlert(page: Page) {
  return page.locator('form').getByRole('alert');
}
