import { test as base, expect, type Locator, type Page } from '@playwright/test';
import type { ReceivedMail } from '../lib/testing/mail-message';

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

/** The mock SMTP server's reader (e2e/mock-services.ts), next to the server's port. */
const mailReader = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 14}`;

/** Waits for the `count`-th message to `address` whose subject matches, and returns it. */
export async function waitForMail(address: string, subject: RegExp, count = 1): Promise<ReceivedMail> {
  let found: ReceivedMail[] = [];
  await expect
    .poll(
      async () => {
        const response = await fetch(`${mailReader}/messages?to=${encodeURIComponent(address)}`);
        found = ((await response.json()) as ReceivedMail[]).filter((mail) => subject.test(mail.subject));
        return found.length;
      },
      { message: `mail to ${address} matching ${subject}`, timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(count);
  return found[count - 1]!;
}

/** The link to `path` in a message (with its token). */
export function mailLink(mail: ReceivedMail, path: string): string {
  const link = mail.text.match(new RegExp(`https?://\\S+${path}\\?token=[\\w-]+`))?.[0];
  if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
  return link;
}

/** Follows the verification link of the sign-up mail; the dashboard's banner is gone after. */
export async function verifyEmail(page: Page, email: string) {
  const mail = await waitForMail(email, /^Verify your email address/);
  await page.goto(mailLink(mail, '/verify-email'));
  await page.getByRole('button', { name: 'Verify my email address' }).click();
  await expect(page).toHaveURL(/\/dashboard\?verified=1$/);
  await expect(page.getByTestId('verify-email-banner')).toHaveCount(0);
}

/**
 * Creates a key in the dashboard's dialog (`fill` sets more fields) and returns its secret, read
 * from the show-once dialog, which is then closed through its confirmation.
 */
export async function createKey(page: Page, name: string, fill: (form: Locator) => Promise<unknown> = async () => {}): Promise<string> {
  await page.goto('/keys');
  await page.getByRole('button', { name: /^Create (key|your first key)$/ }).click();
  const form = page.getByRole('dialog', { name: 'Create an API key' });
  await form.getByLabel('Name').fill(name);
  await fill(form);
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  const shown = page.getByRole('dialog', { name: 'API key created' });
  const secret = await shown.getByLabel('API key', { exact: true }).inputValue();
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.getByRole('button', { name: 'Yes, close' }).click();
  await expect(shown).toBeHidden();
  return secret;
}

/** A management token made in Settings, for what the dashboard's forms do not reach quickly. */
export async function managementToken(page: Page): Promise<string> {
  await page.goto('/settings');
  await page.getByLabel('Token name').fill('e2e');
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Management token created' });
  const token = await dialog.getByLabel('Management token', { exact: true }).inputValue();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.getByRole('button', { name: 'Yes, close' }).click();
  return token;
}
