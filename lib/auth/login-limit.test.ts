import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

// Through getRedis(): real Redis when TEST_REDIS_URL is set (CI), else the embedded store.
const services = await useTestServices();
const { checkLoginLimit, clearLoginLimit, LOGIN_LIMITS } = await import('./login-limit');
afterAll(() => services.cleanup());

const run = randomUUID().slice(0, 8);

describe('login attempt limits', () => {
  it(`allow ${LOGIN_LIMITS.perEmail} attempts per email, from any address, then refuse with a retry time`, async () => {
    const email = `limit-${run}@example.com`;
    const results = await Promise.all(
      Array.from({ length: LOGIN_LIMITS.perEmail + 5 }, (_, i) => checkLoginLimit(email, `203.0.113.${i + 1}-${run}`)),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(LOGIN_LIMITS.perEmail);
    const refused = results.find((result) => !result.allowed);
    expect(refused && !refused.allowed && refused.retryAfterSeconds).toBeGreaterThan(0);
    // Another account is not affected.
    expect((await checkLoginLimit(`other-${run}@example.com`, `198.51.100.1-${run}`)).allowed).toBe(true);
  });

  it(`allow ${LOGIN_LIMITS.perIp} attempts per client IP across many emails`, async () => {
    const ip = `192.0.2.7-${run}`;
    const results = await Promise.all(
      Array.from({ length: LOGIN_LIMITS.perIp + 10 }, (_, i) => checkLoginLimit(`spray-${i}-${run}@example.com`, ip)),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(LOGIN_LIMITS.perIp);
    expect((await checkLoginLimit(`fresh-${run}@example.com`, `192.0.2.8-${run}`)).allowed).toBe(true);
  });

  it('a lifted lockout lets the account try again at once; the guessing address stays limited', async () => {
    const email = `lifted-${run}@example.com`;
    for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) await checkLoginLimit(email, `203.0.114.${i}-${run}`);
    expect((await checkLoginLimit(email, `203.0.115.1-${run}`)).allowed).toBe(false);
    await clearLoginLimit(email);
    expect((await checkLoginLimit(email, `203.0.115.2-${run}`)).allowed).toBe(true);
    // Only this account's counters went.
    const other = `still-locked-${run}@example.com`;
    for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) await checkLoginLimit(other, `203.0.116.${i}-${run}`);
    await clearLoginLimit(email);
    expect((await checkLoginLimit(other, `203.0.116.99-${run}`)).allowed).toBe(false);
  });
});
