import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from './testing';
import { sharedTestRedis } from '@/lib/testing/services';

/**
 * The Conduit API when Redis loses its data (a restart without persistence): spending limits and
 * credit are rebuilt from PostgreSQL, so a key never spends its limit a second time.
 */
const gateway = await startGateway();
const { services, server, keys, actor } = gateway;
const { getRedis } = await import('@/lib/redis/client');
const { creditBalanceKey, ledgerBalance } = await import('@/lib/billing/credit');
const { reservationIndexOf, reservationsKey } = await import('@/lib/limits/leases');
const { accountTag } = await import('@/lib/redis/key-slot');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { getDb } = await import('@/db');
const { usageRecords } = await import('@/db/schema');
const { and, eq, sum } = await import('drizzle-orm');
afterAll(() => gateway.close());

// The embedded store belongs to this test file alone: there Redis really starts over empty. Real
// Redis is shared with the files running beside this one: there only this account's state goes.
const ownStore = !sharedTestRedis;

async function loseRedis(keyIds: string[]) {
  const redis = getRedis();
  if (ownStore) return void (await redis.flushall());
  for (const id of keyIds) {
    const counters = await redis.keys(`conduit:spend:${accountTag(actor.userId)}:${id}:*`);
    if (counters.length > 0) await redis.del(...counters);
  }
  await redis.del(creditBalanceKey(actor.userId), `${creditBalanceKey(actor.userId)}:grants`);
  await redis.del(reservationsKey(actor.userId));
  await redis.zrem(reservationIndexOf(actor.userId), actor.userId);
}

const ask = (secret: string) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'spend a little' }], max_tokens: 20 }),
  }).then(async (response) => ({ status: response.status, code: response.ok ? null : ((await response.json()) as { error: { code: string } }).error.code }));

/** Requests one at a time until one is refused; how many were answered. */
async function spendUntilRefused(secret: string, max = 200) {
  for (let answered = 0; answered < max; answered++) {
    const result = await ask(secret);
    if (result.status !== 200) return { answered, refusal: result };
  }
  return { answered: max, refusal: null };
}

/** Settlements run after the responses: drain until every record of the key is stored, then its total. */
async function settledInPostgres(keyId: string, requests: number) {
  const db = await getDb();
  await expect
    .poll(async () => {
      while ((await drainUsageOnce()).read > 0);
      // The chat requests' records (GET /v1/key has its own).
      return (await db.select({ id: usageRecords.requestId }).from(usageRecords).where(and(eq(usageRecords.keyId, keyId), eq(usageRecords.model, 'gpt-4')))).length;
    })
    .toBe(requests);
  const [row] = await db.select({ total: sum(usageRecords.costMicros).mapWith(Number) }).from(usageRecords).where(eq(usageRecords.keyId, keyId));
  return row?.total ?? 0;
}

const keySpend = async (secret: string) =>
  ((await (await fetch(`${server.url}/v1/key`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { data: { spending_limits: { day: { spent: number } } } }).data
    .spending_limits.day.spent;

describe(`the /v1 gateway after Redis lost its data, on ${services.label}`, () => {
  it('a key at its daily limit stays there: Redis restarting empty does not give it a new day', async () => {
    const created = await keys.createKey(actor, { name: 'loss', spending_limits: { day: 20_000 } });
    const before = await spendUntilRefused(created.secret);
    expect(before.answered).toBeGreaterThan(3);
    expect(before.refusal).toEqual({ status: 403, code: 'spending_limit_exceeded' });
    const spent = await settledInPostgres(created.key.id, before.answered + 1);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(20_000);

    await loseRedis([created.key.id]);
    // The next request is refused as before; GET /v1/key shows the day rebuilt, not zero.
    expect(await spendUntilRefused(created.secret)).toEqual({ answered: 0, refusal: { status: 403, code: 'spending_limit_exceeded' } });
    expect(await settledInPostgres(created.key.id, before.answered + 2)).toBe(spent);
    expect(await keySpend(created.secret)).toBe(spent);
    // The credit came back from the ledger, which the drain debited for every settled request.
    expect(Number(await getRedis().get(creditBalanceKey(actor.userId)))).toBe(await ledgerBalance(actor.userId));
  });

  it('20 parallel requests right after the loss rebuild the windows and never pass the limit', async () => {
    const created = await keys.createKey(actor, { name: 'loss-parallel', spending_limits: { day: 20_000 } });
    let answered = 0;
    for (; answered < 15; answered++) expect((await ask(created.secret)).status).toBe(200);
    const spentBefore = await settledInPostgres(created.key.id, answered);
    expect(spentBefore).toBeLessThan(20_000);

    await loseRedis([created.key.id]);
    const results = await Promise.all(Array.from({ length: 20 }, () => ask(created.secret)));
    const admitted = results.filter((result) => result.status === 200).length;
    expect(admitted).toBeGreaterThan(0);
    expect(results.filter((result) => result.status !== 200).every((result) => result.code === 'spending_limit_exceeded')).toBe(true);
    const spent = await settledInPostgres(created.key.id, answered + 20);
    expect(spent).toBeLessThanOrEqual(20_000);
    // Without the rebuild the day would have started over: spentBefore would not be in it.
    expect(await keySpend(created.secret)).toBe(spent);
  });
});
