import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '@/lib/keys/record';
import { sharedTestRedis, useTestServices } from '@/lib/testing/services';
import { usageRecord } from '@/lib/usage/fixtures';

/**
 * Spend windows survive Redis losing them: the counters are rebuilt from what PostgreSQL holds,
 * so a key never spends its limit twice. Real PostgreSQL and Redis in CI, else the embedded ones.
 */
const services = await useTestServices();
const { admit, settle } = await import('./admission');
const { creditBalanceKey, grantCredit, loadCreditBalance } = await import('@/lib/billing/credit');
const { readKeySpend, restoreSpendCounters } = await import('./spend-counters');
const { getRedis } = await import('@/lib/redis/client');
const { reservationIndexOf, reservationsKey } = await import('./leases');
const { accountTag } = await import('@/lib/redis/key-slot');
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');

const { drainUsageOnce } = await import('@/lib/usage/drain');
const { queuedRecord } = await import('@/lib/usage/queue');
const { windowId, windowStart } = await import('./windows');
// Opening (and, embedded, creating) the database takes longer than a test may.
beforeAll(() => getDb());
afterAll(() => services.cleanup());

// The embedded store belongs to this test file alone, so there Redis can lose everything; real
// Redis is shared with the test files running beside this one, so there only this account's
// state goes — which is all this account's requests can tell apart.
const ownStore = !sharedTestRedis;

const cost = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };
// 500 tokens at $2/1M = 1,000 micros, so each request reserves 2,000 micros.
const CREDIT = 10_000_000;

/** An account with $10 of credit in its ledger, and a key of it. */
async function account(spendLimits: Partial<KeyRecord['spendLimits']>): Promise<KeyRecord> {
  const userId = `user_${randomUUID()}`;
  await insertPeople(await getDb(), { id: userId, email: `${userId}@example.com` });
  await grantCredit({ userId, kind: 'adjustment', amountMicros: CREDIT, reference: `spend-recovery-${userId}` });
  return {
    id: `key_${randomUUID()}`,
    userId,
    hash: 'x',
    enabled: true,
    expiresAt: null,
    allowedModels: [],
    allowedOperations: [],
    ipAllowlist: [],
    rateLimits: { minute: null, hour: null, day: null },
    spendLimits: { day: null, week: null, month: null, ...spendLimits },
  };
}

/** What the gateway does (lib/gateway/completion.ts): rebuild what Redis lacks, then admit once more. */
async function admitRestoring(key: KeyRecord, now: number) {
  const first = await admit(key, `req_${randomUUID()}`, cost, now);
  if (first.outcome !== 'state_unknown') return first;
  // Straight to restoreSpendCounters, not through the per-instance single flight: as if each
  // request had reached another instance.
  await Promise.all([first.credit && loadCreditBalance(key.userId), first.spend && restoreSpendCounters([key], new Date(now))]);
  return admit(key, `req_${randomUUID()}`, cost, now);
}

/** Requests one after another at `now`, each charged `charge` with its usage record queued, until one is refused. */
async function spend(key: KeyRecord, charge: number, max: number, now: number) {
  for (let admitted = 0; admitted < max; admitted++) {
    const admission = await admitRestoring(key, now);
    if (admission.outcome !== 'admitted') return { admitted, refusal: admission };
    await settle(admission.reservation, charge, queuedRecord(usageRecord({ requestId: admission.reservation.requestId, keyId: key.id, userId: key.userId, costMicros: charge, createdAt: now })));
  }
  return { admitted: max, refusal: null };
}

async function drain() {
  while ((await drainUsageOnce()).read > 0);
}

/** Redis loses the key's spend windows — and with `everything`, the account's credit and every reservation too. */
async function lose(key: KeyRecord, everything = false) {
  const redis = getRedis();
  const counters = await redis.keys(ownStore && everything ? 'conduit:spend:*' : `conduit:spend:${accountTag(key.userId)}:${key.id}:*`);
  expect(counters.length).toBeGreaterThanOrEqual(3);
  await redis.del(...counters);
  if (!everything) return;
  await redis.del(creditBalanceKey(key.userId), `${creditBalanceKey(key.userId)}:grants`);
  await redis.del(reservationsKey(key.userId));
  await redis.zrem(reservationIndexOf(key.userId), key.userId);
}

const spentOf = async (key: KeyRecord, now: number) => (await readKeySpend([key], new Date(now))).get(key.id)!;

describe(`spend windows after Redis lost them, on ${services.label}`, () => {
  it('a key cannot pass its daily limit after Redis lost its spend counters', async () => {
    const key = await account({ day: 20_000 });
    const now = Date.now();
    expect((await spend(key, 1_900, 9, now)).admitted).toBe(9); // $0.0171 of $0.02
    await drain();
    await lose(key);
    // Counting from zero again would admit ten more; the rebuilt day has room for one reservation.
    const after = await spend(key, 1_900, 10, now);
    expect(after).toEqual({ admitted: 1, refusal: { outcome: 'spend_limited', window: 'day' } });
    expect(await spentOf(key, now)).toEqual({ day: 19_000, week: 19_000, month: 19_000 });
  });

  it('and after Redis lost everything: the three windows and the credit come back from PostgreSQL', async () => {
    const key = await account({ day: 20_000, month: 50_000 });
    const now = Date.now();
    await spend(key, 1_900, 9, now);
    await drain();
    await lose(key, true);
    const after = await spend(key, 1_900, 10, now);
    expect(after).toEqual({ admitted: 1, refusal: { outcome: 'spend_limited', window: 'day' } });
    expect(await spentOf(key, now)).toEqual({ day: 19_000, week: 19_000, month: 19_000 });
    // The ledger was debited by the drain for the nine; the tenth is in Redis, not yet drained.
    expect(Number(await getRedis().get(creditBalanceKey(key.userId)))).toBe(CREDIT - 19_000);
  });

  it('20 parallel admissions right after a loss, each rebuilding on its own, never overshoot', async () => {
    const key = await account({ day: 20_000 });
    const now = Date.now();
    await spend(key, 1_900, 5, now); // 9,500
    await drain();
    await lose(key, true);
    const results = await Promise.all(Array.from({ length: 20 }, () => admitRestoring(key, now)));
    const admitted = results.flatMap((result) => (result.outcome === 'admitted' ? [result.reservation] : []));
    // 10,500 of room holds five reservations of 2,000, whichever rebuilder wrote the counter.
    expect(admitted).toHaveLength(5);
    expect(results.filter((result) => result.outcome !== 'admitted').every((result) => result.outcome === 'spend_limited')).toBe(true);
    await Promise.all(admitted.map((reservation) => settle(reservation, 2_000)));
    expect(await spentOf(key, now)).toEqual({ day: 19_500, week: 19_500, month: 19_500 });
    expect(Number(await getRedis().get(creditBalanceKey(key.userId)))).toBe(CREDIT - 19_500);
  });

  it('a request in flight during the loss is counted once, from its record, and its settlement does not hide the loss', async () => {
    const key = await account({ day: 20_000 });
    const now = Date.now();
    await spend(key, 1_900, 5, now); // 9,500
    const inFlight = await admitRestoring(key, now);
    if (inFlight.outcome !== 'admitted') throw new Error(inFlight.outcome);
    await drain();
    await lose(key, true);
    // Settled after the loss: no reservation left (its whole cost is the change) and no counter to
    // add it to — writing 1,900 into a fresh counter would make the day look almost unused.
    await settle(inFlight.reservation, 1_900, queuedRecord(usageRecord({ requestId: inFlight.reservation.requestId, keyId: key.id, userId: key.userId, costMicros: 1_900, createdAt: now })));
    expect(await getRedis().exists(...inFlight.reservation.spendKeys)).toBe(0);
    await drain();
    expect(await spentOf(key, now)).toEqual({ day: 11_400, week: 11_400, month: 11_400 });
  });

  it('a new window starts at 0 without PostgreSQL while Redis has lost nothing (the key’s marker), and is rebuilt after a loss', async () => {
    const key = await account({ day: 5_000 });
    const midnight = windowStart('day', new Date()).getTime();
    const lastNight = midnight - 30 * 60_000;
    await spend(key, 1_900, 2, lastNight); // 3,800 yesterday
    await drain();
    // No rebuild at midnight: a PostgreSQL outage then must not stop the key.
    const first = await admit(key, `req_${randomUUID()}`, cost, midnight + 1_000);
    expect(first.outcome).toBe('admitted');
    if (first.outcome !== 'admitted') return;
    await settle(first.reservation, 1_900, queuedRecord(usageRecord({ requestId: first.reservation.requestId, keyId: key.id, userId: key.userId, costMicros: 1_900, createdAt: midnight + 1_000 })));
    // A full day's limit again: two reservations of 2,000 fit in 5,000, as they did yesterday.
    expect(await spend(key, 1_900, 3, midnight + 1_000)).toMatchObject({ admitted: 1, refusal: { outcome: 'spend_limited', window: 'day' } });
    const carried = (window: 'week' | 'month') => (windowId(window, new Date(lastNight)) === windowId(window, new Date(midnight)) ? 3_800 : 0);
    expect(await spentOf(key, midnight + 1_000)).toEqual({ day: 3_800, week: carried('week') + 3_800, month: carried('month') + 3_800 });
    expect((await spentOf(key, lastNight)).day).toBe(3_800);
  });

  it('shows a lost window rebuilt, not zero, to GET /v1/key and the dashboard (readKeySpend)', async () => {
    const key = await account({});
    const now = Date.now();
    await spend(key, 1_234, 3, now);
    await drain();
    await lose(key, true);
    expect(await spentOf(key, now)).toEqual({ day: 3_702, week: 3_702, month: 3_702 });
    expect(await getRedis().exists(`conduit:spend:${accountTag(key.userId)}:${key.id}:${windowId('day', new Date(now))}`)).toBe(1);
  });
});
