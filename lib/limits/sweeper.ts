import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { luaScript, runScript } from '@/lib/redis/raw';
import { RENEW_INTERVAL_MS, RESERVATIONS_KEY, renewLeases } from './leases';
import { SWEEP } from './lua';

/**
 * Releases reservations whose lease lapsed (their instance stopped renewing them: it died
 * mid-request), so no budget or credit stays reserved for long. Every instance runs it; the
 * script's ZREM makes each release happen exactly once. Up to `rounds` batches per call, so a
 * dead instance's thousands of requests are released in one pass.
 */
export async function sweepReservations(now = Date.now(), batch = 500, redis: Redis = getRedis(), rounds = 10): Promise<number> {
  let released = 0;
  for (let round = 0; round < rounds; round++) {
    const count = Number(await runScript(redis, SWEEP_SCRIPT, [RESERVATIONS_KEY], [now, batch]));
    released += count;
    if (count < batch) break;
  }
  return released;
}

const SWEEP_SCRIPT = luaScript(SWEEP);
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
      .catch((error: unknown) => console.error(failure, error))
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
    renew: every(RENEW_INTERVAL_MS, () => renewLeases(), '[limits] reservation renewal failed'),
    sweep: options.sweep === false ? undefined : every(SWEEP_INTERVAL_MS, () => sweepReservations(), '[limits] reservation sweep failed'),
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
