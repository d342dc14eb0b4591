import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { runCommand } from '@/lib/redis/raw';

/**
 * Reservations are leases. Each admitted request's reservation is a member of the sorted set
 * RESERVATIONS_KEY whose score is a deadline only RESERVATION_LEASE_MS away; the instance serving
 * the request keeps it in memory and pushes the deadline forward every RENEW_INTERVAL_MS until the
 * request settles. An instance that dies stops renewing, and the sweeper (sweeper.ts, every
 * instance, every SWEEP_INTERVAL_MS) releases its reservations within a lease and a sweep — about
 * 40 seconds — instead of holding budget and credit for the longest possible request.
 *
 * Safe by construction:
 * - Renewal is ZADD XX, which only updates members that still exist: a renewal that reaches Redis
 *   after the settlement's ZREM (or after a sweep) cannot bring the reservation back.
 * - If a live instance loses a lease anyway (it could not reach Redis, or its event loop stalled,
 *   for longer than a lease), the sweeper gives the amount back and the request's settlement then
 *   finds no reservation and adds its whole cost (the SETTLE script): nothing is lost or counted
 *   twice. What is lost for that while is the hold: other requests may use the budget meanwhile.
 * - The last resort stays: no reservation is renewed past RESERVATION_MAX_MS after its admission.
 * Deadlines are instance clocks: they must agree within LEASE − RENEW (20 s; NTP does far better).
 */

export const RESERVATIONS_KEY = 'conduit:reservations';
export const RESERVATION_LEASE_MS = 30_000;
export const RENEW_INTERVAL_MS = 10_000;
/** Longer than any live request — the longest stream (64k output tokens at ~20 tokens/s) lasts under an hour. */
export const RESERVATION_MAX_MS = 90 * 60_000;

/** Members per ZADD: one command stays small however many requests are in flight. */
const RENEW_BATCH = 500;

// The production entry serves /v1 from its own bundle while Next's instrumentation starts the
// timers: two copies of this module in one process. They must share one table of leases.
const HELD = Symbol.for('conduit.limits.leases');
const registry = globalThis as typeof globalThis & { [HELD]?: Map<string, number> };
/** Reservation member → the time past which it is no longer renewed (admission + RESERVATION_MAX_MS). */
const held = (registry[HELD] ??= new Map());

/** Called on admission: this instance now renews the reservation until it settles. */
export function holdLease(member: string, admittedAt: number): void {
  held.set(member, admittedAt + RESERVATION_MAX_MS);
}

/** Called on settlement (before the SETTLE script is sent): no renewal after this. */
export function releaseLease(member: string): void {
  held.delete(member);
}

/** How many reservations this instance is renewing. */
export const heldLeases = (): number => held.size;

/**
 * Pushes the deadline of every reservation this instance holds to now + a lease (never past its
 * cap), in batches of one ZADD XX each. Returns how many were renewed.
 */
export async function renewLeases(now = Date.now(), redis: Redis = getRedis()): Promise<number> {
  const pairs: (string | number)[] = [];
  for (const [member, cap] of held) {
    // Its last renewal already set the deadline to the cap: it is released there.
    if (cap <= now) held.delete(member);
    else pairs.push(Math.min(now + RESERVATION_LEASE_MS, cap), member);
  }
  for (let i = 0; i < pairs.length; i += 2 * RENEW_BATCH) {
    await runCommand(redis, ['zadd', RESERVATIONS_KEY, 'XX', ...pairs.slice(i, i + 2 * RENEW_BATCH)]);
  }
  return pairs.length / 2;
}
