import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { luaScript, runCommand, runScript } from '@/lib/redis/raw';
import { indexReservations, RENEW_INTERVAL_MS, RESERVATION_INDEX_SHARDS, RESERVATION_LEASE_MS, renewLeases, reservationIndexKey, reservationsKey } from './leases';
import { REINDEX, SWEEP } from './lua';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'limits' });

/**
 * Releases reservations whose lease lapsed (their instance stopped renewing them: it died
 * mid-request), so no budget or credit stays reserved for long. One process sweeps: worker 0 of
 * `npm start` (its timer), or the cron route (BACKGROUND_JOBS=cron); the script's ZSCORE + ZREM
 * makes each release happen exactly once even if two sweeps overlap. It walks the index of
 * accounts (leases.ts) for entries that are due, up to `batch` accounts per shard and round and
 * `rounds` rounds, so a dead instance's thousands of requests are released in one pass; each
 * account is swept by one script per `batch` of its members, declaring every key it touches (all
 * in the account's slot).
 *
 * An account or a shard that fails (a cluster node down, a script error) is logged and skipped:
 * the others are still swept, and it is tried again by the next sweep. No account is started
 * after `until` (the cron route's time budget); the rest waits for the next sweep.
 */
export async function sweepReservations(now = Date.now(), batch = 500, redis: Redis = getRedis(), rounds = 10, until = Infinity): Promise<number> {
  let released = 0;
  // Logged once per sweep, not per account or shard: a node that is down fails everything it serves.
  const failed = { shards: [] as number[], accounts: 0, first: undefined as unknown };
  for (let shard = 0; shard < RESERVATION_INDEX_SHARDS && Date.now() < until; shard++) {
    const index = reservationIndexKey(shard);
    try {
      for (let round = 0; round < rounds; round++) {
        const due = (await runCommand(redis, ['zrangebyscore', index, '-inf', now, 'WITHSCORES', 'LIMIT', 0, batch])) as string[];
        let failedHere = 0;
        for (let i = 0; i < due.length && Date.now() < until; i += 2) {
          try {
            released += await sweepAccount(index, due[i]!, due[i + 1]!, now, batch, redis);
          } catch (error) {
            failedHere++;
            failed.first ??= error;
          }
        }
        failed.accounts += failedHere;
        // Accounts that failed stay due: another round would only meet them again.
        if (due.length / 2 < batch || failedHere > 0) break;
      }
    } catch (error) {
      failed.shards.push(shard);
      failed.first ??= error;
    }
  }
  if (failed.first !== undefined) {
    log.error({ err: failed.first, shards: failed.shards, accounts: failed.accounts }, 'reservation sweep: some shards or accounts failed, the others were swept');
  }
  return released;
}

/** The earliest deadline among the account's reservations, -1 if it has none. */
async function earliestDeadline(key: string, redis: Redis): Promise<number> {
  const first = (await runCommand(redis, ['zrange', key, 0, 0, 'WITHSCORES'])) as string[];
  return first.length > 0 ? Number(first[1]) : -1;
}

/** Releases one account's lapsed reservations, then moves (or removes) its index entry. */
async function sweepAccount(index: string, userId: string, indexScore: string, now: number, batch: number, redis: Redis): Promise<number> {
  const key = reservationsKey(userId);
  let released = 0;
  let earliest: number;
  for (;;) {
    const lapsed = (await runCommand(redis, ['zrangebyscore', key, '-inf', now, 'LIMIT', 0, batch])) as string[];
    if (lapsed.length === 0) {
      earliest = await earliestDeadline(key, redis);
      break;
    }
    // A member names its credit and spend counters (admission.ts); the script must declare them.
    const counters = [...new Set(lapsed.flatMap((member) => member.split('|').slice(2, 6)))];
    const [count, next] = (await runScript(redis, SWEEP_SCRIPT, [key, ...counters], [now, ...lapsed])) as [number, number | string];
    released += Number(count);
    earliest = Number(next);
    if (lapsed.length < batch) break;
  }
  // Seen empty the first time: a tombstone a lease later (lua.ts, REINDEX), so a reservation whose
  // index write landed before this look and whose ADMIT lands after it is still found.
  const removed = Number(await runScript(redis, REINDEX_SCRIPT, [index], [userId, indexScore, earliest, now + RESERVATION_LEASE_MS + 0.5]));
  // Removed because the account looked empty twice. An admission's index write before the removal
  // replaced the tombstone (so REINDEX left it), one after it adds the entry back; looking again
  // costs one read and catches anything else.
  if (removed === 2) {
    const again = await earliestDeadline(key, redis);
    if (again >= 0) await indexReservations(userId, again, redis);
  }
  return released;
}

const SWEEP_SCRIPT = luaScript(SWEEP);
const REINDEX_SCRIPT = luaScript(REINDEX);
const SWEEP_INTERVAL_MS = 10_000;

// Shared by every copy of this module in the process (see leases.ts), so any copy can stop them.
const TIMERS = Symbol.for('conduit.limits.reservation-timers');
type Timers = { sweep?: NodeJS.Timeout; renew: NodeJS.Timeout };
const registry = globalThis as typeof globalThis & { [TIMERS]?: Timers };

/** Runs `task` every `ms`, skipping a tick while the previous run is still going; unref'd. */
function every(ms: number, task: () => Promise<unknown>, failure: string): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((error: unknown) => log.error({ err: error }, failure))
      .finally(() => (running = false));
  }, ms);
  timer.unref();
  return timer;
}

/**
 * Starts this instance's two reservation timers: renewing the leases of its own requests in
 * flight, and sweeping everyone's lapsed ones. Idempotent. `sweep: false` (BACKGROUND_JOBS=cron:
 * /api/cron sweeps) keeps the renewal only — it matters exactly while this instance serves a
 * request, which is when even a serverless function's timers run.
 */
export function startReservationSweeper(options: { sweep?: boolean } = {}): void {
  if (registry[TIMERS]) return;
  registry[TIMERS] = {
    renew: every(RENEW_INTERVAL_MS, () => renewLeases(), 'reservation renewal failed'),
    sweep: options.sweep === false ? undefined : every(SWEEP_INTERVAL_MS, () => sweepReservations(), 'reservation sweep failed'),
  };
}

/** Which reservation timers run in this process (startup's test reads it). */
export function reservationTimers(): { renew: boolean; sweep: boolean } {
  const timers = registry[TIMERS];
  return { renew: Boolean(timers), sweep: Boolean(timers?.sweep) };
}

/**
 * Stops both timers (graceful shutdown). Call it once the requests in flight have finished: after
 * it, their reservations are no longer renewed and another instance releases them within a lease;
 * a request that settles later still charges its real cost once, but no longer holds its budget.
 */
export function stopReservationSweeper(): void {
  const timers = registry[TIMERS];
  if (!timers) return;
  clearInterval(timers.renew);
  clearInterval(timers.sweep);
  delete registry[TIMERS];
}
