import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '@/lib/keys/record';
import { useTestServices } from '@/lib/testing/services';

// Real Redis in CI (TEST_REDIS_URL), else the embedded store: the same behaviour on both.
const services = await useTestServices();
const { admit, rateCounterKey, settle } = await import('./admission');
const { creditBalanceKey: creditKey } = await import('@/lib/billing/credit');
const { readKeySpend, restoreSpendCounters, spendMarkerKey } = await import('./spend-counters');
const { getRedis } = await import('@/lib/redis/client');
const { reservationIndexOf, reservationsKey } = await import('./leases');
const { RATE_PERIODS } = await import('./windows');
const { getDb } = await import('@/db');
// Spend windows are loaded from PostgreSQL: open (embedded, create) it before the first test.
beforeAll(() => getDb());
afterAll(async () => {
  // This file's requests that were never settled: out of the index every test file shares.
  for (const userId of accounts) {
    await getRedis().del(reservationsKey(userId));
    await getRedis().zrem(reservationIndexOf(userId), userId);
  }
  await services.cleanup();
});

const KEY_PREFIX = `key_test_${randomUUID().slice(0, 8)}_`;
const accounts: string[] = [];

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  const userId = `user_test_${randomUUID()}`;
  accounts.push(userId);
  return {
    id: `${KEY_PREFIX}${randomUUID()}`,
    userId,
    hash: 'x',
    enabled: true,
    expiresAt: null,
    allowedModels: [],
    allowedOperations: [],
    ipAllowlist: [],
    rateLimits: { minute: null, hour: null, day: null },
    spendLimits: { day: null, week: null, month: null },
    ...overrides,
  };
}

/** Credit in Redis, and the key's spend windows loaded (from PostgreSQL: none yet). */
async function fund(record: KeyRecord, micros: number) {
  await getRedis().set(creditKey(record.userId), micros, { ex: 3600 });
  await restoreSpendCounters([record]);
}

const cost = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };
// 500 tokens at $2/1M = 1,000 micros, so each request reserves 2,000 micros.

describe(`admission on ${services.label}`, () => {
  it('never lets settled spend pass a limit under 100 parallel requests (zero overshoot)', async () => {
    const record = key({ spendLimits: { day: 50_000, week: null, month: null } });
    await fund(record, 10_000_000);
    const results = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const admission = await admit(record, randomUUID(), cost);
        if (admission.outcome !== 'admitted') return admission.outcome;
        // Real costs vary but never exceed the reservation.
        await settle(admission.reservation, 1_000 + Math.floor(Math.random() * 1_000));
        return 'admitted';
      }),
    );
    const admitted = results.filter((outcome) => outcome === 'admitted').length;
    expect(admitted).toBeGreaterThanOrEqual(25);
    expect(results.filter((outcome) => outcome !== 'admitted').every((outcome) => outcome === 'spend_limited')).toBe(true);
    const spent = (await readKeySpend([record])).get(record.id)!;
    expect(spent.day).toBeLessThanOrEqual(50_000);
    expect(spent.day).toBeGreaterThan(0);
    // The credit balance moved by exactly what was spent.
    expect(Number(await getRedis().get(creditKey(record.userId)))).toBe(10_000_000 - spent.day);
  });

  it('admits exactly N per rate window, and a refusal consumes no other window', async () => {
    const record = key({ rateLimits: { minute: 5, hour: 7, day: null } });
    await fund(record, 10_000_000);
    // A fixed instant 10 minutes into the hour, so "one minute later" never crosses an hour.
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 600_000;
    const first = await Promise.all(Array.from({ length: 20 }, () => admit(record, randomUUID(), cost, base)));
    expect(first.filter((a) => a.outcome === 'admitted')).toHaveLength(5);
    const refused = first.find((a) => a.outcome === 'rate_limited');
    // Windows are aligned: `base` is on a minute boundary, so the minute resets in exactly 60 s.
    expect(refused).toMatchObject({ outcome: 'rate_limited', period: 'minute', limit: 5, resetMs: 60_000 });
    // 15 refusals by the minute window did not count against the hour window: after the
    // minute rolls over, 2 more are admitted (7 per hour), not 0.
    const later = base + 61_000;
    const next = await Promise.all(Array.from({ length: 5 }, () => admit(record, randomUUID(), cost, later)));
    expect(next.filter((a) => a.outcome === 'admitted')).toHaveLength(2);
    expect(next.find((a) => a.outcome === 'rate_limited')).toMatchObject({ period: 'hour' });
  });

  it('a request refused for credit or budget consumes no rate window', async () => {
    const record = key({ rateLimits: { minute: 3, hour: 3, day: 3 }, spendLimits: { day: 10_000, week: null, month: null } });
    // Credit and spend not loaded yet, then a max_tokens the day's budget cannot pay for: refused
    // in parallel, each without writing anything.
    const unknown = await Promise.all(Array.from({ length: 10 }, () => admit(record, randomUUID(), cost)));
    expect(new Set(unknown.map((a) => a.outcome))).toEqual(new Set(['state_unknown']));
    await fund(record, 10_000_000);
    const tooDear = await Promise.all(Array.from({ length: 10 }, () => admit(record, randomUUID(), { ...cost, requestedOutputTokens: 50_000 })));
    expect(tooDear.every((a) => a.outcome === 'spend_limited')).toBe(true);
    // All three windows are still whole: three requests pass, the fourth is the first refused.
    const next = await Promise.all(Array.from({ length: 4 }, () => admit(record, randomUUID(), cost)));
    expect(next.filter((a) => a.outcome === 'admitted')).toHaveLength(3);
    expect(next.find((a) => a.outcome === 'admitted')).toMatchObject({ rate: [{ period: 'minute' }, { period: 'hour' }, { period: 'day' }] });
    expect(next.filter((a) => a.outcome === 'rate_limited')).toHaveLength(1);
  });

  it('every counter it writes expires; a settlement never recreates one Redis lost, the next admission rebuilds it', async () => {
    const record = key({ rateLimits: { minute: 10, hour: 10, day: 10 }, spendLimits: { day: 1_000_000, week: null, month: null } });
    await fund(record, 10_000_000);
    const now = Date.now();
    const first = await admit(record, randomUUID(), cost, now);
    if (first.outcome !== 'admitted') throw new Error(first.outcome);
    const redis = getRedis();
    const rateKeys = RATE_PERIODS.map((period) => rateCounterKey(record, period, now));
    expect(await redis.mget(...rateKeys)).toEqual([1, 1, 1]);
    for (const counter of [...rateKeys, ...first.reservation.spendKeys]) expect(await redis.pttl(counter)).toBeGreaterThan(0);
    // Redis loses the day's spend counter mid-request (and with it the key's marker: a restart
    // loses both): the settlement leaves it missing (a counter holding this one request would
    // hide the loss), and the next admission asks for a rebuild.
    await redis.del(first.reservation.spendKeys[0], spendMarkerKey(record));
    await settle(first.reservation, 1_500);
    expect(await redis.exists(first.reservation.spendKeys[0])).toBe(0);
    const next = await admit(record, randomUUID(), cost);
    expect(next).toMatchObject({ outcome: 'state_unknown', credit: false, spend: true });
    if (next.outcome !== 'state_unknown') return;
    await next.restoreSpend();
    expect((await admit(record, randomUUID(), cost)).outcome).toBe('admitted');
    expect(await redis.pttl(first.reservation.spendKeys[0])).toBeGreaterThan(0);
  });

  it('reports rate state for the headers', async () => {
    const record = key({ rateLimits: { minute: 10, hour: null, day: 100 } });
    await fund(record, 10_000_000);
    const admission = await admit(record, randomUUID(), cost);
    expect(admission.outcome).toBe('admitted');
    if (admission.outcome !== 'admitted') return;
    expect(admission.rate.map((r) => [r.period, r.limit, r.used])).toEqual([['minute', 10, 1], ['day', 100, 1]]);
    expect(admission.rate[0]!.resetMs).toBeGreaterThan(0);
    expect(admission.rate[0]!.resetMs).toBeLessThanOrEqual(60_000);
  });

  it('caps the output of a request without max_tokens to what the budget pays for', async () => {
    const record = key({ spendLimits: { day: null, week: null, month: 11_000 } });
    await fund(record, 10_000_000);
    const admission = await admit(record, randomUUID(), { ...cost, requestedOutputTokens: null, modelMaxOutputTokens: 100_000 });
    expect(admission).toMatchObject({ outcome: 'admitted', outputTokens: 5_000 }); // (11,000 − 1,000) / 2 per token
    // An explicit max_tokens the budget cannot pay for is refused rather than silently cut.
    const fresh = key({ spendLimits: { day: null, week: null, month: 11_000 } });
    await fund(fresh, 10_000_000);
    expect(await admit(fresh, randomUUID(), { ...cost, requestedOutputTokens: 6_000 })).toEqual({ outcome: 'spend_limited', window: 'month' });
    expect(await admit(fresh, randomUUID(), { ...cost, requestedOutputTokens: 5_000 })).toMatchObject({ outcome: 'admitted', outputTokens: 5_000 });
    // The first key's month is now fully reserved: even one token is refused.
    const refused = await admit(record, randomUUID(), { ...cost, requestedOutputTokens: 1 });
    expect(refused).toEqual({ outcome: 'spend_limited', window: 'month' });
  });

  it('keeps exact integers for large balances and prices (beyond 32-bit micro-dollars)', async () => {
    const record = key({ spendLimits: { day: null, week: null, month: 4_000_000_000 } });
    await fund(record, 5_000_000_000); // $5,000
    const admission = await admit(record, randomUUID(), {
      promptCost: 2_500_000_000,
      outputPrice: 75_000_000,
      requestedOutputTokens: null,
      modelMaxOutputTokens: 100_000,
    });
    expect(admission).toMatchObject({ outcome: 'admitted', outputTokens: 100_000 });
    if (admission.outcome !== 'admitted') return;
    expect(admission.reservation.reserved).toBe(2_500_000_000 + 7_500_000);
    expect(Number(await getRedis().get(creditKey(record.userId)))).toBe(5_000_000_000 - 2_507_500_000);
    await settle(admission.reservation, 2_600_000_000); // more than reserved: capped
    expect((await readKeySpend([record])).get(record.id)!.month).toBe(2_507_500_000);
  });

  it('settles and queues the usage record together, and a Redis that forgot the script still settles', async () => {
    const record = key({ spendLimits: { day: 10_000, week: null, month: null } });
    await fund(record, 100_000);
    const queueKey = `conduit-test:usage:${randomUUID()}`;
    const first = await admit(record, randomUUID(), cost);
    if (first.outcome !== 'admitted') throw new Error(first.outcome);
    expect(await settle(first.reservation, 1_200, { queueKey, json: '{"requestId":"a"}' })).toBe(1_200);
    expect(await getRedis().lrange(queueKey, 0, -1)).toEqual([{ requestId: 'a' }]);
    // SCRIPT FLUSH as after a Redis restart: the settlement falls back to EVAL, and still runs once.
    const second = await admit(record, randomUUID(), cost);
    if (second.outcome !== 'admitted') throw new Error(second.outcome);
    await getRedis().scriptFlush().catch(() => undefined); // the embedded store has no SCRIPT command
    await settle(second.reservation, 800, { queueKey, json: '{"requestId":"b"}' });
    expect(await getRedis().llen(queueKey)).toBe(2);
    expect((await readKeySpend([record])).get(record.id)!.day).toBe(2_000);
    expect(Number(await getRedis().get(creditKey(record.userId)))).toBe(100_000 - 2_000);
    await getRedis().del(queueKey);
  });

  it('refuses with insufficient_credit when the account balance is the limit, and asks for the credit before it is loaded', async () => {
    const record = key();
    await restoreSpendCounters([record]);
    expect(await admit(record, randomUUID(), cost)).toMatchObject({ outcome: 'state_unknown', credit: true, spend: false });
    await fund(record, 1_500);
    expect(await admit(record, randomUUID(), cost)).toEqual({ outcome: 'insufficient_credit' });
    const free = await admit(record, randomUUID(), { ...cost, promptCost: 0, outputPrice: 0 });
    expect(free.outcome).toBe('admitted');
  });
});
