import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { accountTag, keySlot } from '@/lib/redis/key-slot';
import { luaScript } from '@/lib/redis/raw';
import { runCommandSoon, runScriptSoon } from '@/lib/redis/soon';
import { INDEX } from './lua';

/**
 * Reservations are leases. Each admitted request's reservation is a member of its account's sorted
 * set (`reservationsKey`, in the account's Redis Cluster slot with its credit and counters) whose
 * score is a deadline only RESERVATION_LEASE_MS away; the instance serving the request keeps it in
 * memory and pushes the deadline forward every RENEW_INTERVAL_MS until the request settles. An
 * instance that dies stops renewing, and the sweeper (sweeper.ts: worker 0 of `npm start` every
 * SWEEP_INTERVAL_MS, or the cron route with BACKGROUND_JOBS=cron) releases its reservations within a
 * lease and a sweep — about 40 seconds, or a lease and a cron interval — instead of holding budget
 * and credit for the longest possible request.
 *
 * The sweeper finds them through an index of accounts (RESERVATION_INDEX_SHARDS sorted sets, an
 * account in one of them by a hash of its id, so no one key or node takes every admission) whose
 * score is at most the earliest deadline of the account's reservations: the sweeper visits an
 * account once one of them may have lapsed, and then moves its entry to the earliest deadline left,
 * or removes it when none is left. Admissions and renewals write the entry as ZADD LT would (added
 * if missing, lowered if later, never raised); it rides in the pipeline of the admission script.
 *
 * Safe by construction:
 * - Renewal is ZADD XX, which only updates members that still exist: a renewal that reaches Redis
 *   after the settlement's ZREM (or after a sweep) cannot bring the reservation back.
 * - If a live instance loses a lease anyway (it could not reach Redis, or its event loop stalled,
 *   for longer than a lease), the sweeper gives the amount back and the request's settlement then
 *   finds no reservation and adds its whole cost (the SETTLE script): nothing is lost or counted
 *   twice. What is lost for that while is the hold: other requests may use the budget meanwhile.
 * - An admission whose index entry could not be written is undone and answered 503 (admission.ts),
 *   and every renewal writes the entries of the accounts it renews again: a reservation the sweeper
 *   cannot find lives only as long as the instance that renews it (see sweeper.ts for the one race).
 * - The last resort stays: no reservation is renewed past RESERVATION_MAX_MS after its admission.
 * Deadlines are instance clocks: they must agree within LEASE − RENEW (20 s; NTP does far better).
 */

/** An account's reservations ("requestId|reserved|creditKey|spendKey×3" → deadline, ms). */
export const reservationsKey = (userId: string): string => `conduit:reservations:${accountTag(userId)}`;
/** Accounts with reservations → no later than the earliest of their deadlines, in this many shards. */
export const RESERVATION_INDEX_SHARDS = 16;
export const reservationIndexKey = (shard: number): string => `conduit:reservations:due:${shard}`;
/** The index shard that holds this account's entry. */
export const reservationIndexOf = (userId: string): string => reservationIndexKey(keySlot(userId) % RESERVATION_INDEX_SHARDS);
export const RESERVATION_LEASE_MS = 30_000;
export const RENEW_INTERVAL_MS = 10_000;
/** Longer than any live request — the longest stream (64k output tokens at ~20 tokens/s) lasts under an hour. */
export const RESERVATION_MAX_MS = 90 * 60_000;

/** Members per ZADD: one command stays small however many requests are in flight. */
const RENEW_BATCH = 500;

// The production entry serves /v1 from its own bundle while Next's instrumentation starts the
// timers: two copies of this module in one process. They must share one table of leases.
const HELD = Symbol.for('conduit.limits.leases');
const registry = globalThis as typeof globalThis & { [HELD]?: Map<string, Lease> };
interface Lease {
  userId: string;
  /** The time past which it is no longer renewed (admission + RESERVATION_MAX_MS). */
  cap: number;
}
/** Reservation member → its lease. */
const held = (registry[HELD] ??= new Map());

/** Called on admission: this instance now renews the reservation until it settles. */
export function holdLease(member: string, userId: string, admittedAt: number): void {
  held.set(member, { userId, cap: admittedAt + RESERVATION_MAX_MS });
}

/** Called on settlement (before the SETTLE script is sent): no renewal after this. */
export function releaseLease(member: string): void {
  held.delete(member);
}

/** How many reservations this instance is renewing. */
export const heldLeases = (): number => held.size;

/**
 * Makes sure the account's index entry exists and is no later than `deadline` (ZADD LT). Sent with
 * the other commands of this turn (lib/redis/soon.ts).
 */
export async function indexReservations(userId: string, deadline: number, redis: Redis = getRedis()): Promise<void> {
  await runScriptSoon(redis, INDEX_SCRIPT, [reservationIndexOf(userId)], [deadline, userId]);
}

// ZADD LT as a script: the embedded store (ioredis-mock) does not know the flag.
const INDEX_SCRIPT = luaScript(INDEX);

/**
 * Pushes the deadline of every reservation this instance holds to now + a lease (never past its
 * cap): one ZADD XX per account (in batches), and the account's index entry written again (in case a
 * sweep removed it while the account looked empty), all in one pipeline. Returns how many were renewed.
 */
export async function renewLeases(now = Date.now(), redis: Redis = getRedis()): Promise<number> {
  const byAccount = new Map<string, (string | number)[]>();
  let renewed = 0;
  for (const [member, { userId, cap }] of held) {
    // Its last renewal already set the deadline to the cap: it is released there.
    if (cap <= now) {
      held.delete(member);
      continue;
    }
    const pairs = byAccount.get(userId) ?? [];
    pairs.push(Math.min(now + RESERVATION_LEASE_MS, cap), member);
    byAccount.set(userId, pairs);
    renewed++;
  }
  const sent: Promise<unknown>[] = [];
  for (const [userId, pairs] of byAccount) {
    // The earliest of the deadlines just written (a lease near its cap ends before now + a lease).
    let earliest = Infinity;
    for (let i = 0; i < pairs.length; i += 2) earliest = Math.min(earliest, pairs[i] as number);
    sent.push(indexReservations(userId, earliest, redis));
    for (let i = 0; i < pairs.length; i += 2 * RENEW_BATCH) {
      sent.push(runCommandSoon(redis, ['zadd', reservationsKey(userId), 'XX', ...pairs.slice(i, i + 2 * RENEW_BATCH)]));
    }
  }
  await Promise.all(sent);
  return renewed;
}
