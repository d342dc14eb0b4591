import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// Real PostgreSQL in CI, else the embedded PGlite, through the same getDb() the app uses, so
// migrations-on-first-use are exercised too.
const services = await useTestServices();
const users = await import('./users');
afterAll(() => services.cleanup());

describe(`accounts on ${services.label}`, () => {
  beforeAll(async () => {
    await users.signUp({ email: 'ada@example.com', password: 'correct horse 1', name: 'Ada' });
  });

  it('stores an argon2id hash, never the password', async () => {
    const result = await users.signUp({ email: 'grace@example.com', password: 'hopper1906x' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(result.user.passwordHash).not.toContain('hopper1906x');
  });

  it('refuses a duplicate email and keeps the first account', async () => {
    const again = await users.signUp({ email: 'ada@example.com', password: 'another pass 2' });
    expect(again).toEqual({ ok: false, reason: 'email_taken' });
    expect(await users.authenticate('ada@example.com', 'correct horse 1')).toBeDefined();
    expect(await users.authenticate('ada@example.com', 'another pass 2')).toBeUndefined();
  });

  it('lets exactly one of many parallel sign-ups with one email through', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => users.signUp({ email: 'race@example.com', password: `racer password ${i}` })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  it('authenticates only the right password of a known email', async () => {
    expect((await users.authenticate('ada@example.com', 'correct horse 1'))?.name).toBe('Ada');
    expect(await users.authenticate('ada@example.com', 'correct horse 2')).toBeUndefined();
    expect(await users.authenticate('nobody@example.com', 'correct horse 1')).toBeUndefined();
  });

  it('changes the password only with the current one', async () => {
    const signed = await users.signUp({ email: 'linus@example.com', password: 'first password 1' });
    if (!signed.ok) throw new Error('sign-up failed');
    const id = signed.user.id;

    expect(await users.changePassword(id, 'wrong password 1', 'second password 2')).toEqual({ ok: false, reason: 'wrong_password' });
    expect(await users.authenticate('linus@example.com', 'first password 1')).toBeDefined();

    expect((await users.getUser(id))?.sessionsValidFrom).toBeNull();
    const before = Date.now();
    expect(await users.changePassword(id, 'first password 1', 'second password 2')).toEqual({ ok: true });
    // Sessions signed in before the change stop working (lib/auth/session.ts).
    expect((await users.getUser(id))?.sessionsValidFrom?.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(await users.authenticate('linus@example.com', 'first password 1')).toBeUndefined();
    expect(await users.authenticate('linus@example.com', 'second password 2')).toBeDefined();
  });

  it('deletes an account so it can no longer sign in, and frees the email', async () => {
    const signed = await users.signUp({ email: 'gone@example.com', password: 'leaving soon 1' });
    if (!signed.ok) throw new Error('sign-up failed');
    await users.deleteAccount(signed.user.id);
    expect(await users.getUser(signed.user.id)).toBeUndefined();
    expect(await users.authenticate('gone@example.com', 'leaving soon 1')).toBeUndefined();
    expect((await users.signUp({ email: 'gone@example.com', password: 'back again 12' })).ok).toBe(true);
  });
});
