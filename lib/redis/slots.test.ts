import { randomUUID } from 'node:crypto';
import { Command } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '@/lib/keys/record';
import type { LinkRecord } from '@/lib/links/record';
import { useTestServices } from '@/lib/testing/services';

/**
 * Redis Cluster runs a script, a MULTI or a multi-key command only when all its keys share one hash
 * slot (CROSSSLOT otherwise). This proves it for what the app really sends, without a cluster: it
 * records every command leaving through the embedded store while the app's own flows run —
 * admission, settlement with its usage record, lease renewal and the sweep of a dead instance's
 * reservation, spend rebuilds, credit, link limits, login and management limits, the usage drain —
 * and checks the slots of each command's keys (lib/redis/key-slot.ts, itself checked against
 * `cluster-key-slot`, the function ioredis routes by). A key name that loses its hash tag fails
 * here. (`.ci/run` also runs the Redis, limits and gateway tests on a real 3-primary cluster.)
 */

// The embedded store on purpose, even on CI (whose guard asks for TEST_REDIS_URL): every command
// passes through one runner that can be watched. PostgreSQL is whatever TEST_DATABASE_URL says.
const onCi = process.env.CI;
delete process.env.TEST_REDIS_URL;
delete process.env.TEST_REDIS_CLUSTER_URLS;
delete process.env.CI;
const services = await useTestServices();
if (onCi !== undefined) process.env.CI = onCi;
const { keySlot, sameSlot } = await import('./key-slot');
const { embeddedRunner } = await import('./runners');
const { sha1 } = await import('./scripts');
const lua = await import('@/lib/limits/lua');
const { admit, settle } = await import('@/lib/limits/admission');
const { holdLease, releaseLease, renewLeases } = await import('@/lib/limits/leases');
const { sweepReservations } = await import('@/lib/limits/sweeper');
const { readKeySpend } = await import('@/lib/limits/spend-counters');
const { grantCredit, loadCreditBalance, markCreditDeleted, unmarkCreditDeleted } = await import('@/lib/billing/credit');
const { consumeLinkLimits } = await import('@/lib/proxy/limits');
const { checkLoginLimit } = await import('@/lib/auth/login-limit');
const { countFailedAttempt, limitToken } = await import('@/lib/management/rate-limit');
const { drainUsageOnce } = await import('@/lib/usage/drain');
const { enqueueUsageNow, queuedRecord, usageQueue } = await import('@/lib/usage/queue');
const { usageRecord } = await import('@/lib/usage/fixtures');
const { getDb } = await import('@/db');
const { insertPeople } = await import('@/db/queries/users');

beforeAll(() => getDb());
afterAll(() => services.cleanup());

/** Every command sent, as sent (EVALSHA before the store turns it into EVAL); MULTI bodies as one entry. */
const sent: string[][][] = [];
const runner = embeddedRunner();
const { run, pipeline, multiExec } = runner;
beforeAll(() => {
  runner.run = (command) => (sent.push([command]), run(command));
  runner.pipeline = (commands) => (commands.forEach((command) => sent.push([command])), pipeline(commands));
  runner.multiExec = (commands) => (sent.push(commands), multiExec(commands));
});
afterAll(() => Object.assign(runner, { run, pipeline, multiExec }));

const keysOf = ([name = '', ...args]: string[]) => new Command(name, args).getKeys().map(String);

describe('hash slots of what the app sends', () => {
  it('computes the slot Redis Cluster does (CRC16 of the hash tag), as ioredis does', async () => {
    const { default: calculateSlot } = await import('cluster-key-slot');
    for (const key of ['123456789', 'conduit:credit:{u:usr_1}', '{}x', 'a{b}{c}', 'x{', '}{y}', 'é€🚀{🚀}']) expect(keySlot(key)).toBe(calculateSlot(key));
    expect(keySlot('123456789')).toBe(12_739); // the example of the Redis Cluster specification
  });

  it('every script, transaction and multi-key command keeps its keys in one slot', async () => {
    const userId = `user_slots_${randomUUID()}`;
    await insertPeople(await getDb(), { id: userId, email: `${userId}@example.com` });
    await grantCredit({ userId, kind: 'adjustment', amountMicros: 10_000_000, reference: `slots-${userId}` });
    await loadCreditBalance(userId);
    const key = (id: string): KeyRecord => ({
      id,
      userId,
      hash: 'x',
      enabled: true,
      expiresAt: null,
      allowedModels: [],
      allowedOperations: [],
      ipAllowlist: [],
      rateLimits: { minute: 100, hour: 1_000, day: 10_000 },
      spendLimits: { day: 1_000_000, week: 2_000_000, month: 3_000_000 },
    });
    const first = key(`key_slots_${randomUUID()}`);
    const second = key(`key_slots_${randomUUID()}`);
    const spend = await readKeySpend([first, second]); // two keys of one account: one MGET, one rebuild
    expect(spend.get(first.id)).toEqual({ day: 0, week: 0, month: 0 });

    const cost = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };
    const t0 = Date.now() - 86_400_000; // a day back: sweeping then touches only this test's reservations
    const live = await admit(first, randomUUID(), cost, t0);
    const dead = await admit(second, randomUUID(), cost, t0);
    if (live.outcome !== 'admitted' || dead.outcome !== 'admitted') throw new Error('not admitted');
    releaseLease(dead.reservation.member); // its instance died
    holdLease(live.reservation.member, userId, t0);
    await renewLeases(t0 + 20_000);
    expect(await sweepReservations(t0 + 35_000)).toBeGreaterThanOrEqual(1);
    await settle(live.reservation, 1_500, queuedRecord(usageRecord({ requestId: live.reservation.requestId, keyId: first.id, userId, costMicros: 1_500 })), undefined, { awaited: true });
    await sweepReservations(t0 + 120_000); // the account has none left: its index entry becomes a tombstone (removed by a later sweep)

    await markCreditDeleted(userId);
    await unmarkCreditDeleted(userId);

    const link = { id: `lnk_slots_${randomUUID()}`, userId, rateLimits: { minute: 5, hour: null, day: null }, endUserRateLimits: { minute: 2, hour: 10, day: null }, monthlyRequestCap: null } as unknown as LinkRecord;
    await consumeLinkLimits(link, 'end-user-{1}');
    await checkLoginLimit('someone@example.com', '2001:db8::1');
    await limitToken(`mt_${randomUUID()}`);
    await countFailedAttempt('192.0.2.1');

    const queue = usageQueue(`conduit-test:${randomUUID()}:usage`);
    await enqueueUsageNow(usageRecord({ requestId: randomUUID(), keyId: first.id, userId }), undefined, queue);
    await drainUsageOnce({ queue, consumer: 'slots-test' });

    const multiKey = sent.map((commands) => commands.flatMap(keysOf)).filter((keys) => new Set(keys).size > 1);
    const crossing = multiKey.filter((keys) => !sameSlot(keys));
    expect(crossing).toEqual([]);
    // Not vacuous: the multi-key scripts of every area above were seen.
    const scripts = new Set(sent.flat().filter(([name]) => /^eval/i.test(name ?? '')).map(([name, body]) => (/sha/i.test(name!) ? body : sha1(body!))));
    for (const [name, source] of Object.entries({ ADMIT: lua.ADMIT, SETTLE: lua.SETTLE, SWEEP: lua.SWEEP, RESTORE_SPEND: lua.RESTORE_SPEND })) {
      expect(scripts.has(sha1(source)), `${name} was sent`).toBe(true);
    }
    expect(multiKey.length).toBeGreaterThanOrEqual(12);
  });
});
