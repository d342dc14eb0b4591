import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn } from '@/lib/testing/mail-message';
import { startMockSmtp } from '@/lib/testing/mock-smtp';
import { useTestServices } from '@/lib/testing/services';

const services = await useTestServices();
const smtp = await startMockSmtp();
process.env.SMTP_URL = smtp.url;
process.env.EMAIL_FROM = 'conduit@conduit.test';
const verification = await import('./email-verification');
const users = await import('./users');
const { issueEmailToken } = await import('./email-tokens');
const { EMAIL_LIMITS } = await import('./email-limits');
const { mailSettled } = await import('@/lib/email/send');
afterAll(async () => {
  await mailSettled();
  await smtp.close();
  await services.cleanup();
});

const run = randomUUID().slice(0, 8);
const origin = 'http://127.0.0.1:3000';

async function account(name: string) {
  const email = `${name}-${run}@example.com`;
  const result = await users.signUp({ email, password: 'first password 1' });
  if (!result.ok) throw new Error('sign-up failed');
  return result.user;
}

// Migrations (slow on PGlite: initdb) in the hook, not in the first test.
beforeAll(async () => {
  await (await import('@/db')).getDb();
});

describe(`email verification on ${services.label}`, () => {
  it('a new account is unverified and refused what needs a verified address, with a typed 403', async () => {
    const ada = await account('ada');
    expect(ada.emailVerified).toBeNull();
    let refused: unknown;
    try {
      verification.requireVerifiedEmail(ada, 'buying credit');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(verification.EmailNotVerifiedError);
    expect(refused).toMatchObject({ status: 403, code: 'email_not_verified', message: expect.stringContaining('before buying credit') });
  });

  it('the link from the mail verifies the address, once', async () => {
    const bob = await account('bob');
    await verification.sendVerificationEmail(bob, origin);
    const [mail] = await smtp.waitFor(bob.email);
    expect(mail!.subject).toBe('Verify your email address for Conduit');
    const link = linkIn(mail!, verification.VERIFY_PATH)!;
    expect(link.startsWith(`${origin}/verify-email?token=`)).toBe(true);
    const token = new URL(link).searchParams.get('token');
    expect(await verification.verifyEmail(token)).toEqual({ ok: true });
    const verified = await users.getUser(bob.id);
    expect(verified?.emailVerified).toBeInstanceOf(Date);
    expect(() => verification.requireVerifiedEmail(verified!)).not.toThrow();
    expect(await verification.verifyEmail(token)).toEqual({ ok: false });
    expect(await verification.resendVerificationEmail(verified!, origin)).toEqual({ ok: false, reason: 'already_verified' });
  });

  it('refuses junk, expired links, and a link for an address the account no longer has', async () => {
    const cy = await account('cy');
    for (const junk of [undefined, null, '', 'abc', 'Z'.repeat(43)]) expect(await verification.verifyEmail(junk)).toEqual({ ok: false });
    expect(await verification.verifyEmail(await issueEmailToken(cy.id, 'verify_email', cy.email, Date.now() - 8 * 24 * 3600_000))).toEqual({ ok: false });
    expect(await verification.verifyEmail(await issueEmailToken(cy.id, 'verify_email', `previous-${cy.email}`))).toEqual({ ok: false });
    expect(await verification.verifyEmail(await issueEmailToken(cy.id, 'reset_password', cy.email))).toEqual({ ok: false });
    expect((await users.getUser(cy.id))?.emailVerified).toBeNull();
  });

  it(`"resend" sends a new link, ${EMAIL_LIMITS.perAccount.requests} an hour`, async () => {
    const dee = await account('dee');
    const results = [];
    for (let i = 0; i < EMAIL_LIMITS.perAccount.requests + 1; i++) results.push(await verification.resendVerificationEmail(dee, origin));
    expect(results.filter((result) => result.ok)).toHaveLength(EMAIL_LIMITS.perAccount.requests);
    expect(results.at(-1)).toMatchObject({ ok: false, reason: 'rate_limited' });
    await smtp.waitFor(dee.email, EMAIL_LIMITS.perAccount.requests);
    // Every link sent works (the newest need not be the only one).
    const first = new URL(linkIn(smtp.to(dee.email)[0]!, verification.VERIFY_PATH)!).searchParams.get('token');
    expect(await verification.verifyEmail(first)).toEqual({ ok: true });
  });
});
