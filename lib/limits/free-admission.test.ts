import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '@/lib/keys/record';
import { useTestServices } from '@/lib/testing/services';

// The ADMIT script on real Redis (TEST_REDIS_URL) and on the embedded store's fengari Lua.
const services = await useTestServices();
const { admit } = await import('./admission');
const { creditBalanceKey } = await import('@/lib/billing/credit');
const { restoreSpendCounters } = await import('./spend-counters');
const { getRedis } = await import('@/lib/redis/client');
const { reservationsKey } = await import('./leases');
const { getDb } = await import('@/db');
beforeAll(() => getDb());
afterAll(() => services.cleanup());

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: `key_free_${randomUUID()}`,
    userId: `user_free_${randomUUID()}`,
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

const free = { promptCost: 0, outputPrice: 0, requestedOutputTokens: null, modelMaxOutputTokens: 4_096 };
const paid = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };

describe(`free requests on ${services.label}`, () => {
  it('a request that costs nothing is admitted with a negative balance, reserves nothing and leaves the balance as it was', async () => {
    const record = key();
    await getRedis().set(creditBalanceKey(record.userId), -5_000_000, { ex: 3600 });
    await restoreSpendCounters([record]);
    const admission = await admit(record, randomUUID(), free);
    expect(admission).toMatchObject({ outcome: 'admitted', outputTokens: 4_096, reservation: { reserved: 0 } });
    expect(await admit(record, randomUUID(), paid)).toEqual({ outcome: 'insufficient_credit' });
    // A paid model whose prompt alone is priced (no output tokens) is not free either.
    expect(await admit(record, randomUUID(), { ...free, promptCost: 1 })).toEqual({ outcome: 'insufficient_credit' });
    expect(Number(await getRedis().get(creditBalanceKey(record.userId)))).toBe(-5_000_000);
    const reservations = await getRedis().zrange<string[]>(reservationsKey(record.userId), 0, -1);
    expect(reservations.some((member) => member.includes(record.id))).toBe(false);
  });

  it('still counts rate windows, passes a spend window already past its limit, and asks for a credit balance it does not know', async () => {
    const record = key({ rateLimits: { minute: 2, hour: null, day: null }, spendLimits: { day: 0, week: null, month: null } });
    await restoreSpendCounters([record]);
    // No balance in Redis: unknown (the gateway reloads it from the ledger), never assumed.
    expect(await admit(record, randomUUID(), free)).toMatchObject({ outcome: 'state_unknown', credit: true, spend: false });
    await getRedis().set(creditBalanceKey(record.userId), 10_000_000, { ex: 3600 });
    expect(await admit(record, randomUUID(), paid)).toEqual({ outcome: 'spend_limited', window: 'day' });
    const base = Math.floor(Date.now() / 60_000) * 60_000 + 10_000;
    expect((await admit(record, randomUUID(), free, base)).outcome).toBe('admitted');
    expect((await admit(record, randomUUID(), free, base)).outcome).toBe('admitted');
    expect(await admit(record, randomUUID(), free, base)).toMatchObject({ outcome: 'rate_limited', period: 'minute' });
  });
});
