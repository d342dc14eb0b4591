import { expect, formAlert, logIn, logOut, PASSWORD, signUp, test } from './fixtures';

test('change password: the old one stops working, the new one works', async ({ page, email }) => {
  await signUp(page, email);
  await page.getByRole('link', { name: 'Settings' }).click();

  await page.getByLabel('Current password').fill('not my password 1');
  await page.getByLabel('New password', { exact: true }).fill('brand new pass 9');
  await page.getByLabel('Repeat new password').fill('brand new pass 9');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your current password is not correct.')).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill('brand new pass 9');
  await page.getByLabel('Repeat new password').fill('brand new pass 9');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed. Other devices have been signed out.')).toBeVisible();

  await logOut(page);
  await logIn(page, email, PASSWORD);
  await expect(formAlert(page)).toHaveText('Wrong email or password.');
  await logIn(page, email, 'brand new pass 9');
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('delete account asks for confirmation, then the account is gone', async ({ page, email }) => {
  await signUp(page, email);
  await page.goto('/settings');
  const confirm = page.getByRole('button', { name: 'Delete my account' });
  await expect(confirm).toBeDisabled();
  await page.getByLabel('Your email').fill('someone-else@example.com');
  await expect(confirm).toBeDisabled();
  await page.getByLabel('Your email').fill(email);
  await confirm.click();
  await expect(page).toHaveURL(/\/\?account=deleted$/);

  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  await logIn(page, email);
  await expect(formAlert(page)).toHaveText('Wrong email or password.');
});

test('changing the password signs out other sessions, not this one', async ({ page, email, browser }) => {
  await signUp(page, email);
  const other = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.77' } });
  const otherPage = await other.newPage();
  await logIn(otherPage, email);
  await expect(otherPage).toHaveURL(/\/dashboard$/);

  await page.goto('/settings');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill('rotated pass 11');
  await page.getByLabel('Repeat new password').fill('rotated pass 11');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText(/Password changed/)).toBeVisible();

  await otherPage.goto('/dashboard');
  await expect(otherPage).toHaveURL(/\/login$/);
  await page.goto('/dashboard');
  await expect(page.getByTestId('account-email')).toHaveText(email);
  await other.close();
});
