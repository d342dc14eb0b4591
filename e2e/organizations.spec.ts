import type { Browser, Page } from '@playwright/test';
import { expect, mailLink, PASSWORD, signUp, test, verifyEmail, waitForMail } from './fixtures';
import { openCreateLink, takeToken } from './link-helpers';

// Teams: an owner invites by email, the invitee accepts in their own browser (a second context),
// roles decide what each sees and may do, and ownership changes hands.

async function invite(page: Page, address: string, role: 'Viewer' | 'Developer' | 'Admin') {
  await page.goto('/members');
  await page.getByLabel('Email address').fill(address);
  await page.getByLabel('Role').selectOption(role.toLowerCase());
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${address}` })).toBeVisible();
}

/** A second person, in a browser context of their own, who signs up through the invitation link. */
async function acceptInNewContext(browser: Browser, address: string, organization: string): Promise<Page> {
  const link = mailLink(await waitForMail(address, new RegExp(`invited you to ${organization} on Conduit$`)), '/invite');
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 250) + 1}` } });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByRole('heading', { name: `Join ${organization}` })).toBeVisible();
  await page.getByRole('link', { name: 'Sign up' }).click();
  await expect(page.getByLabel('Email')).toHaveValue(address);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Back on the invitation, signed in as the invited address.
  await expect(page).toHaveURL(/\/invite\?token=/);
  await page.getByRole('button', { name: `Join ${organization}` }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByLabel('Organization')).toHaveValue(/.+/);
  await expect(page.getByLabel('Organization').locator('option:checked')).toHaveText(new RegExp(`^${organization} \\(`));
  return page;
}

async function newOrganization(page: Page, name: string) {
  await page.getByRole('link', { name: 'New', exact: true }).click();
  await page.getByLabel('Organization name').fill(name);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByLabel('Organization').locator('option:checked')).toHaveText(`${name} (owner)`);
}

test('invite → accept in a second browser → a viewer sees keys but cannot create one, and is refused the members’ controls', async ({ page, browser, email }) => {
  test.setTimeout(120_000);
  await signUp(page, email);
  await verifyEmail(page, email);
  const organization = `Acme ${Date.now().toString(36)}`;
  await newOrganization(page, organization);
  // A key the team shares, made by the owner.
  await page.goto('/keys');
  await page.getByRole('button', { name: 'Create your first key' }).click();
  const form = page.getByRole('dialog', { name: 'Create an API key' });
  await form.getByLabel('Name').fill('team key');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByRole('dialog', { name: 'API key created' }).getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Yes, close' }).click();

  // And a link with an access token.
  const linkForm = await openCreateLink(page);
  await linkForm.getByLabel('Preset').selectOption('openai');
  await linkForm.getByLabel('Name').fill('team link');
  await linkForm.getByLabel('OpenAI API key').fill('sk-team-0123456789');
  await linkForm.getByRole('button', { name: 'Create', exact: true }).click();
  await takeToken(page.getByRole('dialog', { name: 'Link created' }));

  const viewerEmail = email.replace('@', '+viewer@');
  await invite(page, viewerEmail, 'Viewer');
  await expect(page.getByTestId('invitation-row').filter({ hasText: viewerEmail })).toBeVisible();

  const viewer = await acceptInNewContext(browser, viewerEmail, organization);
  await viewer.goto('/keys');
  await expect(viewer.getByRole('link', { name: 'team key' })).toBeVisible();
  await expect(viewer.getByRole('button', { name: /^Create (key|your first key)$/ })).toHaveCount(0);
  await viewer.getByRole('link', { name: 'team key' }).click();
  await expect(viewer.getByRole('heading', { name: 'team key' })).toBeVisible();
  await expect(viewer.getByRole('button', { name: 'Regenerate' })).toHaveCount(0);
  await expect(viewer.getByText('Delete key')).toHaveCount(0);
  // The link's tokens are listed, without the controls to make or revoke them.
  await viewer.goto('/links');
  await viewer.getByRole('link', { name: 'team link' }).click();
  await expect(viewer.getByRole('table', { name: 'Access tokens' })).toContainText('Default');
  await expect(viewer.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Create token' })).toHaveCount(0);
  // Pages a viewer's role lacks answer 403 with an explanation.
  const audit = await viewer.goto('/audit');
  expect(audit?.status()).toBe(403);
  await expect(viewer.getByRole('heading', { name: 'Not available to your role' })).toBeVisible();
  // The playground spends the organization's credit: not for viewers, in the nav or by URL.
  await expect(viewer.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Playground' })).toHaveCount(0);
  expect((await viewer.goto('/playground'))?.status()).toBe(403);
  await viewer.goto('/members');
  await expect(viewer.getByRole('button', { name: 'Send invitation' })).toHaveCount(0);
  await expect(viewer.getByTestId('member-row').filter({ hasText: viewerEmail }).getByTestId('member-role')).toHaveText('Viewer');
  // Their own organization is still theirs: switching back shows its (empty) keys with the button.
  await viewer.getByLabel('Organization').selectOption({ index: 0 });
  await expect(viewer).toHaveURL(/\/dashboard$/);
  await viewer.goto('/keys');
  await expect(viewer.getByRole('button', { name: 'Create your first key' })).toBeVisible();

  // The owner sees who joined, and the audit log says so.
  await page.goto('/members');
  await expect(page.getByTestId('member-row').filter({ hasText: viewerEmail })).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByTestId('audit-row').and(page.locator('[data-action="member.joined"]'))).toContainText(viewerEmail);
  await expect(page.getByTestId('audit-row').and(page.locator('[data-action="key.created"]'))).toContainText(email);
  await viewer.context().close();
});

test('the owner transfers ownership: the new owner gets the owner’s controls, the old one becomes an admin', async ({ page, browser, email }) => {
  test.setTimeout(120_000);
  await signUp(page, email);
  await verifyEmail(page, email);
  const organization = `Shop ${Date.now().toString(36)}`;
  await newOrganization(page, organization);
  const heirEmail = email.replace('@', '+heir@');
  await invite(page, heirEmail, 'Admin');
  const heir = await acceptInNewContext(browser, heirEmail, organization);

  await page.goto('/members');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('member-row').filter({ hasText: heirEmail }).getByRole('button', { name: 'Make owner' }).click();
  await expect(page).toHaveURL(/\/members\?transferred=1$/);
  await expect(page.getByRole('status').filter({ hasText: 'Ownership transferred' })).toBeVisible();
  await expect(page.getByText('You are an Admin here.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rename' })).toHaveCount(0);

  await heir.goto('/members');
  await expect(heir.getByText('You are an Owner here.')).toBeVisible();
  await expect(heir.getByRole('button', { name: 'Rename' })).toBeVisible();
  await expect(heir.getByTestId('member-row').filter({ hasText: email }).getByLabel(`Role of ${email}`)).toHaveValue('admin');
  await heir.context().close();
});
