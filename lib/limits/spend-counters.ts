import 'server-only';
import type { Redis } from '@upstash/redis';
import { getDb } from '@/db';
import { settledSpendByKey } from '@/db/queries/spend-windows';
import type { Micros } from '@/lib/money';
import { getRedis } from '@/lib/redis/client';
import { luaScript, runScript } from '@/lib/redis/raw';
import { RESTORE_SPEND } from './lua';
import { SPEND_WINDOWS, windowId, windowReset, windowStart, type SpendWindow } from './windows';
import { singleFlight } from '@/lib/single-flight';

/**
 * Settled spend per key and calendar window lives in Redis under one key per window, e.g.
 * `conduit:spend:key_abc:d2026-11-29`; the gateway adds to it when a request settles.
 * Old windows expire on their own (SPEND_COUNTER_TTL_SECONDS after their last write).
 *
 * PostgreSQL is the truth, as for credit (lib/billing/credit.ts): a counter Redis does not have —
 * the window is new, or Redis lost it — is unknown, never zero. It is rebuilt from the key's
 * usage in the window (the hourly rollups) and written only if still missing, so:
 *
 *   counter = settled usage drained before the rebuild + usage settled since + live reservations.
 *
 * What a rebuild cannot see is what Redis lost with the counter and PostgreSQL never got: records
 * still queued in Redis, and reservations of requests in flight (a request admitted before the
 * loss that settles after it adds its cost to a counter that exists again, or is counted from its
 * record if the rebuild comes after the drain).
 */
export const SPEND_COUNTER_TTL_SECONDS = 35 * 24 * 3600;

export function spendCounterKey(keyId: string, window: SpendWindow, now: Date): string {
  return `conduit:spend:${keyId}:${windowId(window, now)}`;
}

/** While this exists, Redis has lost none of the key's spend counters (lib/limits/lua.ts, ADMIT). */
export function spendMarkerKey(keyId: string): string {
  return `conduit:spend:${keyId}:known`;
}

export type WindowSpend = Record<SpendWindow, Micros>;

const RESTORE_SCRIPT = luaScript(RESTORE_SPEND);

/**
 * Writes the day, week and month counters of these keys from PostgreSQL where Redis has none
 * (one query for all keys, one script for all counters); counters that exist are left as they
 * are. Returns every counter's value afterwards.
 */
export async function restoreSpendCounters(keyIds: readonly string[], now = new Date(), redis: Redis = getRedis()): Promise<Map<string, WindowSpend>> {
  const restored = new Map<string, WindowSpend>();
  if (keyIds.length === 0) return restored;
  const window = (w: SpendWindow) => ({ start: windowStart(w, now), end: windowReset(w, now) });
  const settled = await settledSpendByKey(await getDb(), keyIds, { day: window('day'), week: window('week'), month: window('month') });
  const names = keyIds.flatMap((id) => SPEND_WINDOWS.map((w) => spendCounterKey(id, w, now)));
  const sums = keyIds.flatMap((id) => SPEND_WINDOWS.map((w) => Math.round(settled.get(id)?.[w] ?? 0)));
  const markers = keyIds.map(spendMarkerKey);
  const values = (await runScript(redis, RESTORE_SCRIPT, [...names, ...markers], [...sums, SPEND_COUNTER_TTL_SECONDS, markers.length])) as (string | number | null)[];
  keyIds.forEach((id, i) => {
    const at = (w: number) => Number(values[i * SPEND_WINDOWS.length + w] ?? 0);
    restored.set(id, { day: at(0), week: at(1), month: at(2) });
  });
  return restored;
}

// One rebuild at a time per key and day on this instance: a burst of requests right after a loss
// (or at midnight) waits for the same query instead of each making its own.
const restoring = singleFlight<unknown>();

/** restoreSpendCounters for the key of one request, shared by the requests that need it at once. */
export function restoreKeySpend(keyId: string, now: Date, redis: Redis = getRedis()): Promise<unknown> {
  return restoring(`${keyId}|${windowId('day', now)}`, () => restoreSpendCounters([keyId], now, redis));
}

/**
 * Settled spend of each key in the current day, week and month: one MGET for all keys; keys with
 * a missing counter are rebuilt first (so GET /v1/key and the dashboard never show a lost window
 * as zero).
 */
export async function readKeySpend(keyIds: readonly string[], now = new Date(), redis: Redis = getRedis()): Promise<Map<string, WindowSpend>> {
  const spend = new Map<string, WindowSpend>();
  if (keyIds.length === 0) return spend;
  const names = keyIds.flatMap((id) => SPEND_WINDOWS.map((window) => spendCounterKey(id, window, now)));
  const values = await redis.mget<(number | string | null)[]>(...names);
  const incomplete = keyIds.filter((_, i) => SPEND_WINDOWS.some((_w, w) => values[i * SPEND_WINDOWS.length + w] === null));
  const restored = await restoreSpendCounters(incomplete, now, redis);
  keyIds.forEach((id, i) => {
    const at = (w: number) => Number(values[i * SPEND_WINDOWS.length + w] ?? 0);
    spend.set(id, restored.get(id) ?? { day: at(0), week: at(1), month: at(2) });
  });
  return spend;
}
