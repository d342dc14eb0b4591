import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServices } from '@/lib/testing/services';
import { testQueueName, usageRecord } from '@/lib/usage/fixtures';

// Real PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI), else embedded.
const services = await useTestServices();
const { getDb } = await import('@/db');
const { creditLedger } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
const { env } = await import('@/lib/env');
const { getRedis } = await import('@/lib/redis/client');
const { signUp } = await import('@/lib/auth/users');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { enqueueUsage, usageQueue } = await import('@/lib/usage/queue');
const credit = await import('./credit');

const DOLLAR = 1_000_000;
const created: string[] = [];
const queue = usageQueue(testQueueName());

afterAll(async () => {
  const redis = getRedis();
  const keys = created.flatMap((id) => [credit.creditBalanceKey(id), `${credit.creditBalanceKey(id)}:grants`]);
  if (keys.length > 0) await redis.del(...keys);
  await redis.del(queue.key, queue.consumersKey, queue.processingKey('billing-test'));
  await services.cleanup();
});

/** A new account through the real sign-up, which grants the trial credit. */
async function newUser(): Promise<string> {
  const result = await signUp({ email: `credit-${randomUUID()}@example.com`, password: 'long enough password 1' });
  if (!result.ok) throw new Error('sign-up failed');
  created.push(result.user.id);
  return result.user.id;
}

async function redisBalance(userId: string): Promise<number | null> {
  const value = await getRedis().get<number | string>(credit.creditBalanceKey(userId));
  return value === null ? null : Number(value);
}

/** A Redis whose EVAL waits until released: freezes a grant or a load between its two steps. */
function pausedBeforeEval(redis: Redis) {
  let release!: () => void;
  let arrive!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const paused = new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'eval') {
        return async (...args: Parameters<Redis['eval']>) => {
          arrive();
          await gate;
          return target.eval(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { redis: paused, arrived, release };
}

const TRIAL = env().TRIAL_CREDIT_USD;

describe(`prepaid credit on ${services.label}`, () => {
  it('a new account gets the trial credit exactly once', async () => {
    expect(TRIAL).toBeGreaterThan(0);
    const userId = await newUser();
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL);
    expect(await credit.grantTrialCredit(userId)).toBe(false);
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL);
    expect(await credit.loadCreditBalance(userId)).toBe(TRIAL);
    expect(await redisBalance(userId)).toBe(TRIAL);
  });

  it('ledger balance = trial + grants − drained usage', async () => {
    const userId = await newUser();
    const grant = (kind: 'purchase' | 'refund' | 'adjustment', amountMicros: number) =>
      credit.grantCredit({ userId, kind, amountMicros, reference: `${kind}_${randomUUID()}` });
    expect(await grant('purchase', 20 * DOLLAR)).toBe(true);
    expect(await grant('refund', -3 * DOLLAR)).toBe(true);
    expect(await grant('adjustment', 250_000)).toBe(true);

    const records = Array.from({ length: 7 }, (_, i) => usageRecord({ userId, costMicros: 12_345 * (i + 1) }));
    const pipeline = getRedis().pipeline();
    for (const record of records) enqueueUsage(pipeline, record, queue);
    await pipeline.exec();
    expect(await drainUsageOnce({ queue, consumer: 'billing-test' })).toMatchObject({ inserted: 7 });

    const usage = records.reduce((sum, r) => sum + r.costMicros, 0);
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL + 20 * DOLLAR - 3 * DOLLAR + 250_000 - usage);
  });

  it('10 identical grants sent at once credit once — in the ledger and in the live balance', async () => {
    const userId = await newUser();
    expect(await credit.loadCreditBalance(userId)).toBe(TRIAL);
    const grant = { userId, kind: 'purchase' as const, amountMicros: 10 * DOLLAR, reference: `cs_${randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 10 }, () => credit.grantCredit(grant)));
    expect(results.filter(Boolean)).toHaveLength(1);

    const db = await getDb();
    const rows = await db.select().from(creditLedger).where(eq(creditLedger.reference, grant.reference));
    expect(rows).toHaveLength(1);
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL + 10 * DOLLAR);
    expect(await redisBalance(userId)).toBe(TRIAL + 10 * DOLLAR);
  });

  it('grants made before the first load are in the loaded balance once', async () => {
    const userId = await newUser();
    const grant = { userId, kind: 'purchase' as const, amountMicros: 4 * DOLLAR, reference: `cs_${randomUUID()}` };
    await Promise.all(Array.from({ length: 10 }, () => credit.grantCredit(grant)));
    expect(await redisBalance(userId)).toBeNull();
    const loads = await Promise.all(Array.from({ length: 5 }, () => credit.loadCreditBalance(userId)));
    expect(loads).toEqual(Array(5).fill(TRIAL + 4 * DOLLAR));
  });

  it('loadCreditBalance never overwrites a live balance', async () => {
    const userId = await newUser();
    // The live balance knows of undrained usage and reservations the ledger does not.
    await getRedis().set(credit.creditBalanceKey(userId), 123);
    expect(await credit.loadCreditBalance(userId)).toBe(123);
    await credit.grantCredit({ userId, kind: 'purchase', amountMicros: DOLLAR, reference: `cs_${randomUUID()}` });
    expect(await credit.loadCreditBalance(userId)).toBe(123 + DOLLAR);
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL + DOLLAR);
    // Only when the copy is gone (a flushed Redis) does the ledger speak again.
    await getRedis().del(credit.creditBalanceKey(userId));
    expect(await credit.loadCreditBalance(userId)).toBe(TRIAL + DOLLAR);
  });

  it('a grant committed before a load reads the ledger, applied to Redis after it: counted once', async () => {
    const userId = await newUser();
    const paused = pausedBeforeEval(getRedis());
    const granting = credit.grantCredit({ userId, kind: 'purchase', amountMicros: 7 * DOLLAR, reference: `cs_${randomUUID()}` }, paused.redis);
    await paused.arrived; // the ledger row is committed; its Redis step waits
    expect(await credit.loadCreditBalance(userId)).toBe(TRIAL + 7 * DOLLAR);
    paused.release();
    expect(await granting).toBe(true);
    expect(await redisBalance(userId)).toBe(TRIAL + 7 * DOLLAR);
  });

  it('a grant committed after a load read the ledger, but before the load wrote Redis: counted once', async () => {
    const userId = await newUser();
    const paused = pausedBeforeEval(getRedis());
    const loading = credit.loadCreditBalance(userId, paused.redis);
    await paused.arrived; // the ledger is read (without the grant below); the write to Redis waits
    expect(await credit.grantCredit({ userId, kind: 'purchase', amountMicros: 9 * DOLLAR, reference: `cs_${randomUUID()}` })).toBe(true);
    paused.release();
    expect(await loading).toBe(TRIAL + 9 * DOLLAR);
    expect(await redisBalance(userId)).toBe(TRIAL + 9 * DOLLAR);
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL + 9 * DOLLAR);
  });

  it('balances past 2^31 micros ($2,147) stay exact through the scripts', async () => {
    const userId = await newUser();
    const big = 5_000 * DOLLAR + 1;
    await credit.grantCredit({ userId, kind: 'purchase', amountMicros: big, reference: `cs_${randomUUID()}` });
    expect(await credit.loadCreditBalance(userId)).toBe(TRIAL + big);
    await credit.grantCredit({ userId, kind: 'auto_top_up', amountMicros: big, reference: `cs_${randomUUID()}` });
    expect(await redisBalance(userId)).toBe(TRIAL + 2 * big);
  });

  it("refuses 'usage' grants, fractional micros and grants without a reference", async () => {
    const userId = await newUser();
    const base = { userId, kind: 'purchase' as const, amountMicros: DOLLAR, reference: 'x' };
    await expect(credit.grantCredit({ ...base, kind: 'usage' as 'purchase' })).rejects.toThrow(/usage/);
    await expect(credit.grantCredit({ ...base, amountMicros: 0.5 })).rejects.toThrow(RangeError);
    await expect(credit.grantCredit({ ...base, reference: '' })).rejects.toThrow(/reference/);
    expect(await credit.ledgerBalance(userId)).toBe(TRIAL);
  });
});
