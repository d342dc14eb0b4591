import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockSmtp } from '@/lib/testing/mock-smtp';
import { linkIn } from '@/lib/testing/mail-message';
import { useTestServices } from '@/lib/testing/services';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set, else the embedded
// default; mail through a real SMTP server in this process.
const services = await useTestServices();
const smtp = await startMockSmtp();
process.env.SMTP_URL = smtp.url;
process.env.EMAIL_FROM = 'Conduit <no-reply@conduit.test>';
const reset = await import('./password-reset');
const users = await import('./users');
const { checkLoginLimit, LOGIN_LIMITS } = await import('./login-limit');
const { issueEmailToken, hashToken } = await import('./email-tokens');
const { EMAIL_LIMITS } = await import('./email-limits');
const { mailSettled } = await import('@/lib/email/send');
const { getDb } = await import('@/db');
const { emailTokens } = await import('@/db/schema');
afterAll(async () => {
  await mailSettled();
  await smtp.close();
  await services.cleanup();
});

const run = randomUUID().slice(0, 8);
const origin = 'https://conduit.example.com';
const ip = (n: number) => `203.0.113.${n}-${run}`;

async function account(name: string, password = 'first password 1') {
  const email = `${name}-${run}@example.com`;
  const result = await users.signUp({ email, password });
  if (!result.ok) throw new Error('sign-up failed');
  return { email, id: result.user.id, password };
}

async function resetLink(email: string, count = 1): Promise<string> {
  const mails = await smtp.waitFor(email, count);
  const link = linkIn(mails[count - 1]!, reset.RESET_PATH);
  if (!link) throw new Error(`no reset link in: ${mails[count - 1]!.text}`);
  return link;
}
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

// Migrations (slow on PGlite: initdb) in the hook, not in the first test.
beforeAll(async () => {
  await (await import('@/db')).getDb();
});

describe(`password reset on ${services.label}`, () => {
  it('mails a link on the public origin; the new password works, the old one not, every earlier session ends, the address counts as verified', async () => {
    const ada = await account('ada');
    expect(await reset.requestPasswordReset({ email: ada.email, ip: ip(1), origin })).toEqual({ ok: true });
    const link = await resetLink(ada.email);
    expect(link.startsWith(`${origin}/reset-password?token=`)).toBe(true);
    expect((await smtp.waitFor(ada.email))[0]!.subject).toBe('Reset your Conduit password');

    const before = Date.now();
    expect(await reset.resetPassword(tokenOf(link), 'second password 2')).toEqual({ ok: true, email: ada.email });
    expect(await users.authenticate(ada.email, ada.password)).toBeUndefined();
    const user = await users.authenticate(ada.email, 'second password 2');
    expect(user?.sessionsValidFrom?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(user?.emailVerified).toBeInstanceOf(Date);
    // And the owner is told.
    const mails = await smtp.waitFor(ada.email, 2);
    expect(mails[1]!.subject).toBe('Your Conduit password was changed');
  });

  it('a link works once, even when used twice at the same moment', async () => {
    const bob = await account('bob');
    await reset.requestPasswordReset({ email: bob.email, ip: ip(2), origin });
    const token = tokenOf(await resetLink(bob.email));
    const results = await Promise.all([reset.resetPassword(token, 'racing password 1'), reset.resetPassword(token, 'racing password 2')]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await reset.resetPassword(token, 'later password 3')).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await users.authenticate(bob.email, 'later password 3')).toBeUndefined();
  });

  it('stores only the sha256 of the token', async () => {
    const cy = await account('cy');
    await reset.requestPasswordReset({ email: cy.email, ip: ip(3), origin });
    const token = tokenOf(await resetLink(cy.email));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await (await getDb()).select().from(emailTokens).where(eq(emailTokens.userId, cy.id));
    expect(rows.map((row) => row.hash)).toEqual([hashToken(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(rows[0]!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
  });

  it('refuses an expired link, a link of another purpose, junk, and a link sent to an address the account no longer has', async () => {
    const dee = await account('dee');
    const expired = await issueEmailToken(dee.id, 'reset_password', dee.email, Date.now() - 31 * 60_000);
    expect(await reset.resetPassword(expired, 'new password 11')).toEqual({ ok: false, reason: 'invalid_token' });
    const verify = await issueEmailToken(dee.id, 'verify_email', dee.email);
    expect(await reset.resetPassword(verify, 'new password 11')).toEqual({ ok: false, reason: 'invalid_token' });
    for (const junk of [undefined, '', 'x', 'a'.repeat(43), `${'a'.repeat(42)}!`, 'a'.repeat(5000), 42]) {
      expect(await reset.resetPassword(junk, 'new password 11')).toEqual({ ok: false, reason: 'invalid_token' });
    }
    const forOldAddress = await issueEmailToken(dee.id, 'reset_password', `old-${dee.email}`);
    expect(await reset.resetPassword(forOldAddress, 'new password 11')).toEqual({ ok: false, reason: 'invalid_token' });
    expect(await users.authenticate(dee.email, dee.password)).toBeDefined();
  });

  it('answers an unknown address exactly as a known one, in about the same time, and sends nothing', async () => {
    const eve = await account('eve');
    const time = async (email: string, n: number) => {
      const started = performance.now();
      const result = await reset.requestPasswordReset({ email, ip: ip(n), origin });
      return { result, ms: performance.now() - started };
    };
    const known = await time(eve.email, 4);
    const unknown = await time(`nobody-${run}@example.com`, 5);
    expect(unknown.result).toEqual(known.result);
    expect(known.ms).toBeGreaterThanOrEqual(245);
    expect(unknown.ms).toBeGreaterThanOrEqual(245);
    expect(Math.abs(known.ms - unknown.ms)).toBeLessThan(200);
    await mailSettled();
    expect(smtp.to(`nobody-${run}@example.com`)).toHaveLength(0);
  });

  it(`limits requests to ${EMAIL_LIMITS.resetPerEmail.requests} per address (known or not) and ${EMAIL_LIMITS.resetPerIp.requests} per client`, async () => {
    for (const email of [`flood-${run}@example.com`, (await account('flooded')).email]) {
      const results = [];
      for (let i = 0; i < EMAIL_LIMITS.resetPerEmail.requests + 2; i++) results.push(await reset.requestPasswordReset({ email, ip: ip(100 + i), origin }));
      expect(results.filter((result) => result.ok)).toHaveLength(EMAIL_LIMITS.resetPerEmail.requests);
      const refused = results.at(-1)!;
      expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThan(0);
    }
    await mailSettled();
    expect(smtp.to(`flooded-${run}@example.com`)).toHaveLength(EMAIL_LIMITS.resetPerEmail.requests);

    const spray = await Promise.all(
      Array.from({ length: EMAIL_LIMITS.resetPerIp.requests + 3 }, (_, i) => reset.requestPasswordReset({ email: `spray-${i}-${run}@example.com`, ip: ip(200), origin })),
    );
    expect(spray.filter((result) => result.ok)).toHaveLength(EMAIL_LIMITS.resetPerIp.requests);
  });

  it('lifts the login lockout of the account', async () => {
    const fay = await account('fay');
    for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) await checkLoginLimit(fay.email, ip(50 + i));
    expect((await checkLoginLimit(fay.email, ip(70))).allowed).toBe(false);
    await reset.requestPasswordReset({ email: fay.email, ip: ip(71), origin });
    expect((await reset.resetPassword(tokenOf(await resetLink(fay.email)), 'unlocked password 1')).ok).toBe(true);
    expect((await checkLoginLimit(fay.email, ip(72))).allowed).toBe(true);
  });

  it('a new reset ends the other reset links of the account', async () => {
    const gus = await account('gus');
    await reset.requestPasswordReset({ email: gus.email, ip: ip(80), origin });
    await reset.requestPasswordReset({ email: gus.email, ip: ip(81), origin });
    const first = tokenOf(await resetLink(gus.email, 1));
    const second = tokenOf(await resetLink(gus.email, 2));
    expect((await reset.resetPassword(second, 'gus password 22')).ok).toBe(true);
    expect(await reset.resetPassword(first, 'gus password 33')).toEqual({ ok: false, reason: 'invalid_token' });
  });
});
