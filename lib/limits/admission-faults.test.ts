import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { KeyRecord } from '@/lib/keys/record';
import { creditBalanceKey } from '@/lib/billing/credit';
import type { CommandRunner, Outcome } from '@/lib/redis/commands';
import { runCommand } from '@/lib/redis/raw';
import { createRequester } from '@/lib/redis/requester';
import { clusterRunner, embeddedRunner, tcpRunner } from '@/lib/redis/runners';
import { ServiceUnavailableError, unavailableDependency } from '@/lib/unavailable';
import { admit, rateCounterKey } from './admission';
import { releaseLease, RESERVATION_LEASE_MS, reservationIndexOf, reservationsKey } from './leases';
import { spendCounterKey } from './spend-counters';
import { sweepReservations } from './sweeper';

/**
 * An admission's two commands — the index entry and the ADMIT script — failing apart, on every
 * TCP backend and the embedded store: a Redis (or one cluster node) that runs the script but whose
 * answer is lost, or that refuses the index write. Clocks are half a day back: past the real time's
 * sweeps (the gateway's requests), and later than the other files' sweeps a day back
 * (leases.test.ts, slots.test.ts), which would release these reservations under the assertions.
 */

const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
const TEST_REDIS_CLUSTER_URLS = process.env.TEST_REDIS_CLUSTER_URLS?.split(',').filter(Boolean);
const DAY = 86_400_000;

const runners: [string, () => CommandRunner][] = [['the embedded store', embeddedRunner]];
if (TEST_REDIS_URL) runners.push(['Redis over TCP', () => tcpRunner(TEST_REDIS_URL)]);
if (TEST_REDIS_CLUSTER_URLS?.length) runners.push(['a Redis Cluster', () => clusterRunner(TEST_REDIS_CLUSTER_URLS)]);

type Fault = 'lose-the-answer' | 'refuse-the-index' | undefined;
const isIndexWrite = (command: string[]) => command.some((arg) => arg.startsWith('conduit:reservations:due:'));

/**
 * Runs each pipeline as `fault` says: the index writes refused (an error reply each, not run), or
 * run without them and the answer lost (the connection dropped after Redis ran the rest).
 */
function faulty(runner: CommandRunner, fault: (commands: string[][]) => Fault): CommandRunner {
  return {
    ...runner,
    run: (command) => runner.run(command),
    multiExec: (commands) => runner.multiExec(commands),
    close: () => runner.close(),
    async pipeline(commands) {
      const chosen = fault(commands);
      if (!chosen) return runner.pipeline(commands);
      const kept = commands.filter((command) => !isIndexWrite(command));
      const outcomes = kept.length > 0 ? await runner.pipeline(kept) : [];
      if (chosen === 'lose-the-answer') throw new ServiceUnavailableError('redis', { cause: new Error('connection lost (injected)') });
      return commands.map((command): Outcome => (isIndexWrite(command) ? { error: 'ERR refused (injected)' } : outcomes.shift()!));
    },
  };
}

const cost = { promptCost: 1_000, outputPrice: 2_000_000, requestedOutputTokens: 500, modelMaxOutputTokens: 4_096 };

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
    rateLimits: { minute: 5, hour: null, day: null },
    spendLimits: { day: 100_000, week: null, month: null },
  };
}

for (const [name, connect] of runners) {
  describe(`an admission whose commands fail apart, on ${name}`, () => {
    const runner = connect();
    let fault: Fault;
    const redis = new Redis(createRequester(faulty(runner, (commands) => (commands.some((c) => c.some((arg) => arg.startsWith('conduit:reservations:{'))) ? fault : undefined))));
    afterAll(() => runner.close());

    const counters = (record: KeyRecord, at: number) => (['day', 'week', 'month'] as const).map((w) => spendCounterKey(record, w, new Date(at)));
    async function ready(record: KeyRecord, at: number) {
      for (const counter of counters(record, at)) await runCommand(redis, ['set', counter, 0, 'EX', 3_600]);
      await runCommand(redis, ['set', creditBalanceKey(record.userId), 1_000_000, 'EX', 3_600]);
    }
    const spent = async (record: KeyRecord, at: number) => (await Promise.all(counters(record, at).map((c) => runCommand(redis, ['get', c])))).map(Number);
    const cleanup = async (record: KeyRecord) => {
      await runCommand(redis, ['del', reservationsKey(record.userId)]);
      await runCommand(redis, ['zrem', reservationIndexOf(record.userId), record.userId]);
    };

    it('ADMIT ran but its answer was lost while the index write failed: the entry is written again before the 503, so the sweeper releases it', async () => {
      // Half a day ahead: the reservation sweepers of gateways that other test files run in
      // parallel sweep at the real time, and would release an entry already past its lease
      // before this test could see it.
      const t0 = Date.now() + DAY / 2;
      // Redis knows the script first (an unknown one would not run: NOSCRIPT, retried as EVAL only
      // on an answer) — on the node that serves this account: a cluster keeps scripts per node, so
      // the warm-up admits another key of the same account (its slot) rather than any key.
      const record = key();
      const warm = { ...key(), userId: record.userId };
      await ready(warm, t0);
      const warmed = await admit(warm, randomUUID(), cost, t0, redis);
      if (warmed.outcome === 'admitted') releaseLease(warmed.reservation.member);
      await cleanup(warm);
      await ready(record, t0);
      try {
        fault = 'lose-the-answer';
        const failure = await admit(record, randomUUID(), cost, t0, redis).then(
          () => null,
          (error: unknown) => error,
        );
        fault = undefined;
        expect(unavailableDependency(failure)).toBe('redis');
        // The script ran: 2,000 reserved, held by nobody.
        expect(await runCommand(redis, ['zcard', reservationsKey(record.userId)])).toBe(1);
        expect(Number(await runCommand(redis, ['zscore', reservationIndexOf(record.userId), record.userId]))).toBe(t0 + RESERVATION_LEASE_MS);
        expect(await sweepReservations(t0 + RESERVATION_LEASE_MS, 500, redis)).toBeGreaterThanOrEqual(1);
        expect(await spent(record, t0)).toEqual([0, 0, 0]);
      } finally {
        fault = undefined;
        await cleanup(record);
      }
    });

    it('an admission undone because its index write failed gives back its reservation and its rate counts: a 503 spends no rate limit', async () => {
      const t0 = Date.now() + DAY / 2;
      const record = key();
      await ready(record, t0);
      try {
        fault = 'refuse-the-index';
        await expect(admit(record, randomUUID(), cost, t0, redis)).rejects.toThrow('refused (injected)');
        fault = undefined;
        const minute = rateCounterKey(record, 'minute', t0);
        await vi.waitFor(async () => expect(Number(await runCommand(redis, ['get', minute]))).toBe(0));
        expect(await runCommand(redis, ['zcard', reservationsKey(record.userId)])).toBe(0);
        expect(await spent(record, t0)).toEqual([0, 0, 0]);
        // All five of the minute's requests are still there.
        for (let i = 0; i < 5; i++) {
          const admission = await admit(record, randomUUID(), cost, t0, redis);
          expect(admission.outcome).toBe('admitted');
          if (admission.outcome === 'admitted') releaseLease(admission.reservation.member);
        }
        expect((await admit(record, randomUUID(), cost, t0, redis)).outcome).toBe('rate_limited');
      } finally {
        fault = undefined;
        await cleanup(record);
      }
    });
  });
}
