import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KeyRecord } from '@/lib/keys/record';
import { closeRedis, createRedis, getRedis } from '@/lib/redis/client';
import type { CommandRunner } from '@/lib/redis/commands';
import { createRedisHttpHandler } from '@/lib/redis/http-endpoint';
import { luaScript, runCommand, runScript } from '@/lib/redis/raw';
import { clusterRunner, embeddedRunner, tcpRunner } from '@/lib/redis/runners';
import { serve } from '@/lib/server/node-adapter';
import { admit, settle, type Admission, type Reservation, type StateUnknown } from './admission';
import { holdLease, releaseLease, RENEW_INTERVAL_MS, RESERVATION_LEASE_MS, RESERVATION_MAX_MS, renewLeases, reservationIndexOf, reservationsKey } from './leases';
import { RESTORE_SPEND } from './lua';
import { spendCounterKey, spendMarkerKey } from './spend-counters';
import { creditBalanceKey } from '@/lib/billing/credit';
import { startReservationSweeper, stopReservationSweeper, sweepReservations } from './sweeper';

/**
 * Reservations as leases, and the scripts that must not recreate a lost counter, on every backend
 * (as lib/redis/contract.test.ts): the embedded store, real Redis when TEST_REDIS_URL is set and a
 * Redis Cluster when TEST_REDIS_CLUSTER_URLS is — each directly and over the Upstash REST protocol.
 *
 * Clocks are injected, and set a day back: the reservations set is shared by every test file on a
 * real Redis, and a sweep at an instant already past releases only what was leased before it —
 * never the live requests of the gateway tests running beside this file.
 */

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
const TEST_REDIS_CLUSTER_URLS = process.env.TEST_REDIS_CLUSTER_URLS?.split(',').filter(Boolean);
const DAY = 86_400_000;

interface Harness {
  redis: Redis;
  close(): Promise<void>;
}

async function overHttp(runner: CommandRunner, closeRunner: boolean): Promise<Harness> {
  const token = randomUUID();
  const server = await serve(createRedisHttpHandler({ runner, token }), 0, '127.0.0.1');
  const redis = new Redis({ url: server.url, token, enableTelemetry: false });
  return {
    redis,
    close: async () => {
      await server.close();
      if (closeRunner) await runner.close();
    },
  };
}

const backends: [string, () => Promise<Harness>][] = [
  ['the embedded store', async () => ({ redis: createRedis({}), close: async () => undefined })],
  ['the embedded store over the Upstash REST protocol', () => overHttp(embeddedRunner(), false)],
];
if (TEST_REDIS_URL) {
  backends.push(
    [
      'Redis over TCP',
      async () => {
        const redis = createRedis({ REDIS_URL: TEST_REDIS_URL });
        return { redis, close: () => closeRedis(redis) };
      },
    ],
    ['Redis over the Upstash REST protocol', () => overHttp(tcpRunner(TEST_REDIS_URL), true)],
  );
}

if (TEST_REDIS_CLUSTER_URLS?.length) {
  const urls = TEST_REDIS_CLUSTER_URLS;
  backends.push(
    [
      'a Redis Cluster',
      async () => {
        const redis = createRedis({ REDIS_CLUSTER_URLS: urls });
        return { redis, close: () => closeRedis(redis) };
      },
    ],
    ['a Redis Cluster over the Upstash REST protocol', () => overHttp(clusterRunner(urls), true)],
  );
}

const cost = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };
// Each request reserves 2,000 micros.

function key(): KeyRecord {
  return {
    id: `key_test_${randomUUID()}`,
    userId: `user_test_${randomUUID()}`,
    hash: 'x',
    enabled: true,
    expiresAt: null,
    allowedModels: [],
    allowedOperations: [],
    ipAllowlist: [],
    rateLimits: { minute: null, hour: null, day: null },
    spendLimits: { day: 100_000, week: null, month: null },
  };
}

const admitted = (admission: Admission | StateUnknown) => {
  if (admission.outcome !== 'admitted') throw new Error(admission.outcome);
  return admission.reservation;
};

for (const [name, connect] of backends) {
  describe(`reservation leases on ${name}`, () => {
    let harness: Harness;
    let redis: Redis;
    beforeAll(async () => {
      harness = await connect();
      redis = harness.redis;
    });
    afterAll(() => harness?.close());

    const counters = (record: KeyRecord, at: number) => (['day', 'week', 'month'] as const).map((w) => spendCounterKey(record, w, new Date(at)));
    /** $1 of credit and empty spend windows, as a rebuild would leave them. */
    async function ready(record: KeyRecord, at: number) {
      for (const counter of counters(record, at)) await runCommand(redis, ['set', counter, 0, 'EX', 3_600]);
      await runCommand(redis, ['set', creditBalanceKey(record.userId), 1_000_000, 'EX', 3_600]);
    }
    const spent = async (record: KeyRecord, at: number) => (await Promise.all(counters(record, at).map((c) => runCommand(redis, ['get', c])))).map((v) => (v === null ? null : Number(v)));
    const credit = async (record: KeyRecord) => Number(await runCommand(redis, ['get', creditBalanceKey(record.userId)]));
    const deadline = async ({ reservationsKey: key, member }: Reservation) => {
      const score = await runCommand(redis, ['zscore', key, member]);
      return score === null ? null : Number(score);
    };

    it("releases a dead instance's reservation after its lease, never a live one renewed across several leases", async () => {
      const t0 = Date.now() - DAY;
      const record = key();
      await ready(record, t0);
      const live = admitted(await admit(record, randomUUID(), cost, t0, redis));
      const dead = admitted(await admit(record, randomUUID(), cost, t0, redis));
      expect(await deadline(live)).toBe(t0 + RESERVATION_LEASE_MS);
      releaseLease(dead.member); // its process died: nobody renews it any more

      for (let t = t0 + RENEW_INTERVAL_MS; t <= t0 + 4 * RESERVATION_LEASE_MS; t += RENEW_INTERVAL_MS) {
        await renewLeases(t, redis);
        await sweepReservations(t, 500, redis);
        expect(await deadline(live)).toBe(t + RESERVATION_LEASE_MS);
        expect(await deadline(dead)).toBe(t < t0 + RESERVATION_LEASE_MS ? t0 + RESERVATION_LEASE_MS : null);
      }
      // The dead one's 2,000 went back to the windows and the credit; the live one's is still held.
      expect(await spent(record, t0)).toEqual([2_000, 2_000, 2_000]);
      expect(await credit(record)).toBe(1_000_000 - 2_000);

      await settle(live, 1_500, undefined, redis);
      expect(await spent(record, t0)).toEqual([1_500, 1_500, 1_500]);
      // A renewal that reaches Redis after the settlement (it was already on its way) does not
      // bring the reservation back: ZADD XX only updates members that exist.
      holdLease(live.member, record.userId, t0);
      await renewLeases(t0 + 5 * RESERVATION_LEASE_MS, redis);
      releaseLease(live.member);
      expect(await deadline(live)).toBeNull();
      expect(await credit(record)).toBe(1_000_000 - 1_500);
    });

    it('an account that cannot be swept (a script error, a node down) is skipped and logged; the others are swept, and none is started past the deadline', async () => {
      const t0 = Date.now() - DAY;
      const record = key();
      await ready(record, t0);
      const reservation = admitted(await admit(record, randomUUID(), cost, t0, redis));
      releaseLease(reservation.member);
      // Its reservations key is not a sorted set: every command on it is refused (WRONGTYPE).
      const broken = `user_test_${randomUUID()}`;
      await runCommand(redis, ['set', reservationsKey(broken), 'not a sorted set', 'EX', 600]);
      await runCommand(redis, ['zadd', reservationIndexOf(broken), t0 - 1, broken]);
      try {
        expect(await sweepReservations(t0 + RESERVATION_LEASE_MS, 500, redis, 10, Date.now() - 1)).toBe(0);
        expect(await deadline(reservation)).toBe(t0 + RESERVATION_LEASE_MS);
        expect(await sweepReservations(t0 + RESERVATION_LEASE_MS, 500, redis)).toBeGreaterThanOrEqual(1);
        expect(await deadline(reservation)).toBeNull();
        expect(await spent(record, t0)).toEqual([0, 0, 0]);
      } finally {
        await runCommand(redis, ['del', reservationsKey(broken)]);
        await runCommand(redis, ['zrem', reservationIndexOf(broken), broken]);
      }
    });

    it('an account seen empty keeps a tombstone entry a lease long: a reservation that lands just after the look is still released', async () => {
      const t0 = Date.now() - DAY;
      const userId = `user_test_${randomUUID()}`;
      const index = reservationIndexOf(userId);
      try {
        // The admission's index write landed, its reservation (another node in a cluster) not yet.
        await runCommand(redis, ['zadd', index, t0 + RESERVATION_LEASE_MS, userId]);
        await sweepReservations(t0 + RESERVATION_LEASE_MS, 500, redis);
        const tombstone = t0 + 2 * RESERVATION_LEASE_MS + 0.5;
        expect(Number(await runCommand(redis, ['zscore', index, userId]))).toBe(tombstone);
        // Now it lands (admitted at t0 + LEASE), and its instance dies at once.
        const member = `lease-test-${randomUUID()}|0|${creditBalanceKey(userId)}`;
        await runCommand(redis, ['zadd', reservationsKey(userId), t0 + 2 * RESERVATION_LEASE_MS, member]);
        await sweepReservations(t0 + 2 * RESERVATION_LEASE_MS + 1, 500, redis);
        expect(await runCommand(redis, ['zscore', reservationsKey(userId), member])).toBeNull();
        // Empty twice: the entry goes (as a tombstone first, then for good).
        await sweepReservations(t0 + 2 * RESERVATION_LEASE_MS + 1, 500, redis);
        await sweepReservations(t0 + 4 * RESERVATION_LEASE_MS, 500, redis);
        expect(await runCommand(redis, ['zscore', index, userId])).toBeNull();
      } finally {
        await runCommand(redis, ['del', reservationsKey(userId)]);
        await runCommand(redis, ['zrem', index, userId]);
      }
    });

    it('an admission after an account was seen empty replaces its tombstone, so the second look does not remove it', async () => {
      const t0 = Date.now() - DAY;
      const record = key();
      await ready(record, t0);
      const index = reservationIndexOf(record.userId);
      await runCommand(redis, ['zadd', index, t0, record.userId]);
      await sweepReservations(t0, 500, redis); // empty: a tombstone at t0 + LEASE + 0.5
      const reservation = admitted(await admit(record, randomUUID(), cost, t0 + RESERVATION_LEASE_MS + 10, redis));
      releaseLease(reservation.member);
      expect(Number(await runCommand(redis, ['zscore', index, record.userId]))).toBe(t0 + 2 * RESERVATION_LEASE_MS + 10);
      await sweepReservations(t0 + 2 * RESERVATION_LEASE_MS + 10, 500, redis);
      expect(await deadline(reservation)).toBeNull();
      expect(await spent(record, t0 + RESERVATION_LEASE_MS + 10)).toEqual([0, 0, 0]);
    });

    it('a settlement after its lease lapsed and was swept charges the real cost exactly once', async () => {
      const t0 = Date.now() - DAY;
      const record = key();
      await ready(record, t0);
      const reservation = admitted(await admit(record, randomUUID(), cost, t0, redis));
      releaseLease(reservation.member); // the instance could not reach Redis for longer than a lease
      await sweepReservations(t0 + RESERVATION_LEASE_MS, 500, redis);
      expect(await spent(record, t0)).toEqual([0, 0, 0]);
      expect(await credit(record)).toBe(1_000_000);
      await settle(reservation, 1_500, undefined, redis);
      await sweepReservations(t0 + 2 * RESERVATION_LEASE_MS, 500, redis);
      expect(await spent(record, t0)).toEqual([1_500, 1_500, 1_500]);
      expect(await credit(record)).toBe(1_000_000 - 1_500);
    });

    it('never renews a reservation past 90 minutes after its admission', async () => {
      const t0 = Date.now() - DAY;
      const record = key();
      await ready(record, t0);
      const reservation = admitted(await admit(record, randomUUID(), cost, t0, redis));
      // As if a sweep had removed the index entry: the renewal writes it at the capped deadline, not past it.
      await runCommand(redis, ['zrem', reservationIndexOf(record.userId), record.userId]);
      await renewLeases(t0 + RESERVATION_MAX_MS - 5_000, redis);
      expect(await deadline(reservation)).toBe(t0 + RESERVATION_MAX_MS);
      expect(Number(await runCommand(redis, ['zscore', reservationIndexOf(record.userId), record.userId]))).toBe(t0 + RESERVATION_MAX_MS);
      await renewLeases(t0 + RESERVATION_MAX_MS + 1, redis);
      expect(await deadline(reservation)).toBe(t0 + RESERVATION_MAX_MS);
      await sweepReservations(t0 + RESERVATION_MAX_MS, 500, redis);
      expect(await deadline(reservation)).toBeNull();
      expect(await spent(record, t0)).toEqual([0, 0, 0]);
    });

    it('renews a thousand reservations in a few ZADD XX commands, and writes the account back into the index', async () => {
      const t0 = Date.now() - DAY;
      const userId = `user_test_${randomUUID()}`;
      const members = Array.from({ length: 1_200 }, (_, i) => `lease-test-${randomUUID()}-${i}`);
      await runCommand(redis, ['zadd', reservationsKey(userId), ...members.flatMap((member) => [t0, member])]);
      for (const member of members) holdLease(member, userId, t0);
      try {
        expect(await renewLeases(t0 + 1_000, redis)).toBeGreaterThanOrEqual(1_200);
        const renewed = t0 + 1_000 + RESERVATION_LEASE_MS;
        expect(await runCommand(redis, ['zcount', reservationsKey(userId), renewed, renewed])).toBe(1_200);
        // Its index entry was missing (as if a sweep removed it): the renewal wrote it.
        expect(Number(await runCommand(redis, ['zscore', reservationIndexOf(userId), userId]))).toBe(renewed);
      } finally {
        for (const member of members) releaseLease(member);
        await runCommand(redis, ['del', reservationsKey(userId)]);
        await runCommand(redis, ['zrem', reservationIndexOf(userId), userId]);
      }
    });

    it('settlement and sweep adjust only the counters that exist, never recreating a lost one', async () => {
      const t0 = Date.now() - DAY;
      const record = key();
      await ready(record, t0);
      const [day, week] = counters(record, t0);
      const settled = admitted(await admit(record, randomUUID(), cost, t0, redis));
      const swept = admitted(await admit(record, randomUUID(), cost, t0, redis));
      releaseLease(swept.member);
      await runCommand(redis, ['del', day!, week!, spendMarkerKey(record)]); // lost while both were in flight
      await settle(settled, 1_500, undefined, redis);
      await sweepReservations(t0 + RESERVATION_LEASE_MS, 500, redis);
      expect(await spent(record, t0)).toEqual([null, null, 1_500]);
      expect(await credit(record)).toBe(1_000_000 - 1_500);
      // Missing, the next admission asks for a rebuild rather than counting from zero.
      expect(await admit(record, randomUUID(), cost, t0, redis)).toMatchObject({ outcome: 'state_unknown', credit: false, spend: true });
    });

    it('concurrent rebuilds of a counter: the first one wins, the others keep it, and none overwrites a counter in use', async () => {
      // One account's counters: one slot, as the script needs in a cluster.
      const account = `{u:test-${randomUUID()}}`;
      const counter = `conduit:spend:${account}:key_test:d2026-01-01`;
      const script = luaScript(RESTORE_SPEND);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => runScript(redis, script, [counter], [1_000 + i, 60, 0])));
      const values = new Set(replies.map((reply) => Number((reply as unknown[])[0])));
      expect(values.size).toBe(1);
      const [value] = values;
      expect(Number(await runCommand(redis, ['get', counter]))).toBe(value);
      expect(Number(await runCommand(redis, ['ttl', counter]))).toBeGreaterThan(50);
      await runCommand(redis, ['incrby', counter, 2_000]);
      // Large sums stay exact (fengari's integers are 32-bit): passed through as text, never added.
      const big = `conduit:spend:${account}:key_test:m2026-01`;
      expect(await runScript(redis, script, [counter, big], [0, 5_000_000_000, 60, 0])).toEqual([String(value! + 2_000), '5000000000']);
      await runCommand(redis, ['del', counter, big]);
    });
  });
}

describe('the reservation timers', () => {
  afterAll(() => vi.useRealTimers());

  it('renew this instance’s leases every 10 s until stopped; stopping ends the renewals', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const redis = getRedis(); // what the timers use: the embedded store here (REDIS_URL is not set)
    const member = `lease-test-${randomUUID()}`;
    const userId = `user_test_${randomUUID()}`;
    const t0 = Date.now();
    await runCommand(redis, ['zadd', reservationsKey(userId), t0 + RESERVATION_LEASE_MS, member]);
    holdLease(member, userId, t0);
    try {
      startReservationSweeper();
      startReservationSweeper(); // idempotent: still one pair of timers
      await vi.advanceTimersByTimeAsync(RENEW_INTERVAL_MS);
      await vi.waitFor(async () => expect(Number(await runCommand(redis, ['zscore', reservationsKey(userId), member]))).toBe(t0 + RENEW_INTERVAL_MS + RESERVATION_LEASE_MS));
      stopReservationSweeper();
      await vi.advanceTimersByTimeAsync(3 * RENEW_INTERVAL_MS);
      expect(Number(await runCommand(redis, ['zscore', reservationsKey(userId), member]))).toBe(t0 + RENEW_INTERVAL_MS + RESERVATION_LEASE_MS);
    } finally {
      stopReservationSweeper();
      releaseLease(member);
      await runCommand(redis, ['del', reservationsKey(userId)]);
      await runCommand(redis, ['zrem', reservationIndexOf(userId), userId]);
    }
  });
});
