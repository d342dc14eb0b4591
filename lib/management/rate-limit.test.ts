import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

// The management API's limits through its route handlers (GET /api/v1/keys), on real PostgreSQL
// and Redis in CI, the embedded default otherwise.
const services = await useTestServices();
const { signUp } = await import('@/lib/auth/users');
const { createToken } = await import('./tokens');
const { MANAGEMENT_LIMITS } = await import('./rate-limit');
const { GET } = await import('@/app/api/v1/keys/route');
afterAll(() => services.cleanup());

const run = randomUUID().slice(0, 8);
let userId: string;

beforeAll(async () => {
  const result = await signUp({ email: `limits-${run}@example.com`, password: 'a fine password 1' });
  if (!result.ok) throw new Error('sign-up failed');
  userId = result.user.id;
});

/** The route as Next.js calls it; `ip` arrives as the entry appends it (lib/request-ip.ts). */
async function list(token: string | undefined, ip: string) {
  const headers = new Headers({ 'x-forwarded-for': ip });
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await GET(new Request('http://conduit.test/api/v1/keys', { headers }), { params: Promise.resolve({}) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error?: Record<string, unknown> } };
}

/** `count` calls, `batch` at a time. */
async function calls(count: number, call: (i: number) => ReturnType<typeof list>, batch = 10) {
  const results: Awaited<ReturnType<typeof list>>[] = [];
  for (let i = 0; i < count; i += batch) results.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => call(i + j)))));
  return results;
}

describe(`management API limits on ${services.label}`, () => {
  it(`allow ${MANAGEMENT_LIMITS.perToken.requests} requests a minute per token, then 429 with retry-after; another token is not affected`, async () => {
    const { secret } = await createToken(personalActor(userId), 'busy script');
    const ip = `203.0.113.10-${run}`;
    const results = await calls(MANAGEMENT_LIMITS.perToken.requests, () => list(secret, ip));
    expect(results.every((result) => result.status === 200)).toBe(true);

    const refused = await list(secret, ip);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null });
    expect(refused.body.error!.message).toContain('120 requests per minute');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);

    const { secret: other } = await createToken(personalActor(userId), 'another script');
    expect((await list(other, ip)).status).toBe(200);
  });

  it(`refuse an address after ${MANAGEMENT_LIMITS.failedPerIp.requests} failed attempts, its valid tokens too; other addresses are not affected`, async () => {
    const guesser = `198.51.100.20-${run}`;
    const guesses = await calls(MANAGEMENT_LIMITS.failedPerIp.requests, (i) =>
      list(i % 4 === 0 ? undefined : `cmt_${randomUUID().replaceAll('-', '')}${i}`, guesser),
    );
    expect(guesses.map((guess) => guess.status)).toEqual(Array(MANAGEMENT_LIMITS.failedPerIp.requests).fill(401));
    expect(guesses[1]!.body.error).toMatchObject({ code: 'invalid_management_token' });

    const { secret } = await createToken(personalActor(userId), 'shared office');
    for (const token of ['cmt_one-more-guess', secret]) {
      const refused = await list(token, guesser);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'too_many_failed_attempts' });
      // Until the end of the limiter's current 15-minute window — seconds away when the test runs
      // just before a quarter hour (the window is sliding: a retry then may meet a new refusal).
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(15 * 60);
    }
    expect((await list(secret, `198.51.100.21-${run}`)).status).toBe(200);
  });

  it('count guesses sent all at once exactly: those past the allowance get 429, not 401', async () => {
    const guesser = `198.51.100.40-${run}`;
    const guesses = await calls(2 * MANAGEMENT_LIMITS.failedPerIp.requests, (i) => list(`cmt_${randomUUID().replaceAll('-', '')}${i}`, guesser), 40);
    expect(guesses.filter((guess) => guess.status === 401)).toHaveLength(MANAGEMENT_LIMITS.failedPerIp.requests);
    expect(guesses.filter((guess) => guess.status === 429)).toHaveLength(MANAGEMENT_LIMITS.failedPerIp.requests);
  });

  it('count an IPv6 client by its /64: a fresh address in the same network gets no fresh allowance', async () => {
    const network = `2001:db8:${parseInt(run.slice(0, 4), 16).toString(16)}:${parseInt(run.slice(4, 8), 16).toString(16)}`;
    await calls(MANAGEMENT_LIMITS.failedPerIp.requests, (i) => list(`cmt_${randomUUID().replaceAll('-', '')}`, `${network}::${(i + 1).toString(16)}`));
    expect((await list('cmt_one-more-guess', `${network}::ffff:1`)).status).toBe(429);
    expect((await list('cmt_one-more-guess', `2001:db8:ffff:${run.slice(0, 4)}::1`)).status).toBe(401);
  });

  it('never count successful requests as failed attempts', async () => {
    const { secret } = await createToken(personalActor(userId), 'honest script');
    const ip = `192.0.2.30-${run}`;
    const results = await calls(MANAGEMENT_LIMITS.failedPerIp.requests + 5, () => list(secret, ip));
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect((await list('cmt_wrong', ip)).status).toBe(401);
  });
});
