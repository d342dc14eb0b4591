import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from '@/lib/testing/mail-message';
import { startMockSmtp } from '@/lib/testing/mock-smtp';
import { useTestServices } from '@/lib/testing/services';

const services = await useTestServices();
const smtp = await startMockSmtp();
process.env.SMTP_URL = smtp.url;
process.env.EMAIL_FROM = 'conduit@conduit.test';
const change = await import('./email-change');
const users = await import('./users');
const { mailSettled } = await import('@/lib/email/send');
afterAll(async () => {
  await mailSettled();
  await smtp.close();
  await services.cleanup();
});

const run = randomUUID().slice(0, 8);
const origin = 'https://conduit.example.com';
const PASSWORD = 'first password 1';

async function account(name: string) {
  const result = await users.signUp({ email: `${name}-${run}@example.com`, password: PASSWORD });
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}
const tokenIn = async (address: string, count = 1) =>
  new URL(linkIn((await smtp.waitFor(address, count))[count - 1]!, change.CONFIRM_EMAIL_PATH)!).searchParams.get('token');

// Migrations (slow on PGlite: initdb) in the hook, not in the first test.
beforeAll(async () => {
  await (await import('@/db')).getDb();
});

describe(`changing the email address on ${services.label}`, () => {
  it('needs the current password; the link goes to the new address, moves the account there verified, and the old address is told', async () => {
    const ada = await account('ada');
    const next = `ada-new-${run}@example.com`;
    expect(await change.requestEmailChange(ada, { newEmail: next, currentPassword: 'wrong password 1' }, origin)).toEqual({ ok: false, reason: 'wrong_password' });
    expect(await change.requestEmailChange(ada, { newEmail: ada.email, currentPassword: PASSWORD }, origin)).toEqual({ ok: false, reason: 'same_email' });
    expect(await change.requestEmailChange(ada, { newEmail: next, currentPassword: PASSWORD }, origin)).toEqual({ ok: true });
    const mail = (await smtp.waitFor(next))[0]!;
    expect(mail.subject).toBe('Confirm your new email address for Conduit');
    // Nothing changes before the link is followed.
    expect((await users.getUser(ada.id))?.email).toBe(ada.email);

    const token = await tokenIn(next);
    expect(await change.confirmEmailChange(token)).toEqual({ ok: true, email: next });
    const moved = await users.getUser(ada.id);
    expect(moved?.email).toBe(next);
    expect(moved?.emailVerified).toBeInstanceOf(Date);
    expect(await users.authenticate(next, PASSWORD)).toBeDefined();
    expect(await users.authenticate(ada.email, PASSWORD)).toBeUndefined();
    const notice = (await smtp.waitFor(ada.email))[0]!;
    expect(notice.subject).toBe('Your Conduit email address was changed');
    expect(notice.text).toContain(next);
    expect(await change.confirmEmailChange(token)).toEqual({ ok: false, reason: 'invalid_token' });
  });

  it('refuses an address another account has — when asked, and when it was taken between asking and confirming', async () => {
    const bob = await account('bob');
    const other = await account('other');
    expect(await change.requestEmailChange(bob, { newEmail: other.email, currentPassword: PASSWORD }, origin)).toEqual({ ok: false, reason: 'taken' });
    const wanted = `contested-${run}@example.com`;
    expect((await change.requestEmailChange(bob, { newEmail: wanted, currentPassword: PASSWORD }, origin)).ok).toBe(true);
    const token = await tokenIn(wanted);
    await users.signUp({ email: wanted, password: PASSWORD });
    expect(await change.confirmEmailChange(token)).toEqual({ ok: false, reason: 'taken' });
    expect((await users.getUser(bob.id))?.email).toBe(bob.email);
  });

  it('only the newest request stands, and junk changes nothing', async () => {
    const cy = await account('cy');
    const first = `cy-typo-${run}@example.com`;
    const second = `cy-right-${run}@example.com`;
    await change.requestEmailChange(cy, { newEmail: first, currentPassword: PASSWORD }, origin);
    const firstToken = await tokenIn(first);
    await change.requestEmailChange(cy, { newEmail: second, currentPassword: PASSWORD }, origin);
    expect(await change.confirmEmailChange(firstToken)).toEqual({ ok: false, reason: 'invalid_token' });
    for (const junk of ['', 'x', 'q'.repeat(43), undefined]) expect(await change.confirmEmailChange(junk)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await change.confirmEmailChange(await tokenIn(second))).toEqual({ ok: true, email: second });
  });

  it('changing the password tells the owner by mail', async () => {
    const dee = await account('dee');
    expect(await users.changePassword(dee.id, PASSWORD, 'second password 2')).toEqual({ ok: true });
    expect((await smtp.waitFor(dee.email))[0]!.subject).toBe('Your Conduit password was changed');
  });
});
