import 'server-only';
import type { Redis } from '@upstash/redis';
import { getDb } from '@/db';
import { settledSpendByKey } from '@/db/queries/spend-windows';
import type { Micros } from '@/lib/money';
import { getRedis } from '@/lib/redis/client';
import { accountTag } from '@/lib/redis/key-slot';
import { luaScript, runScript } from '@/lib/redis/raw';
import { RESTORE_SPEND } from './lua';
import { currentSpendWindows, SPEND_WINDOWS, windowId, type SpendWindow } from './windows';
import { singleFlight } from '@/lib/single-flight';

/**
 * Settled spend per key and calendar window lives in Redis under one key per window, e.g.
 * `conduit:spend:{u:usr_1}:key_abc:d2026-11-29`; the gateway adds to it when a request settles.
 * The account's hash tag puts it in the Redis Cluster slot of the account's credit, which the
 * admission script checks in the same step.
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

/** An API key and its account: what names the key's counters. */
export interface KeyRef {
  id: string;
  userId: string;
}

export function spendCounterKey(key: KeyRef, window: SpendWindow, now: Date): string {
  return `conduit:spend:${accountTag(key.userId)}:${key.id}:${windowId(window, now)}`;
}

/** While this exists, Redis has lost none of the key's spend counters (lib/limits/lua.ts, ADMIT). */
export function spendMarkerKey(key: KeyRef): string {
  return `conduit:spend:${accountTag(key.userId)}:${key.id}:known`;
}

/** Keys grouped by account: one slot each in a cluster, so one MGET or script each. */
function byAccount(keys: readonly KeyRef[]): KeyRef[][] {
  const groups = new Map<string, KeyRef[]>();
  for (const key of keys) groups.set(key.userId, [...(groups.get(key.userId) ?? []), key]);
  return [...groups.values()];
}

export type WindowSpend = Record<SpendWindow, Micros>;

const RESTORE_SCRIPT = luaScript(RESTORE_SPEND);

/**
 * Writes the day, week and month counters of these keys from PostgreSQL where Redis has none
 * (one query for all keys, one script per account); counters that exist are left as they are.
 * Returns every counter's value afterwards, by key id.
 */
export async function restoreSpendCounters(keys: readonly KeyRef[], now = new Date(), redis: Redis = getRedis()): Promise<Map<string, WindowSpend>> {
  const restored = new Map<string, WindowSpend>();
  if (keys.length === 0) return restored;
  const settled = await settledSpendByKey(
    await getDb(),
    keys.map((key) => key.id),
    currentSpendWindows(now),
  );
  for (const group of byAccount(keys)) {
    const names = group.flatMap((key) => SPEND_WINDOWS.map((w) => spendCounterKey(key, w, now)));
    const sums = group.flatMap((key) => SPEND_WINDOWS.map((w) => Math.round(settled.get(key.id)?.[w] ?? 0)));
    const markers = group.map(spendMarkerKey);
    const values = (await runScript(redis, RESTORE_SCRIPT, [...names, ...markers], [...sums, SPEND_COUNTER_TTL_SECONDS, markers.length])) as (string | number | null)[];
    group.forEach((key, i) => {
      const at = (w: number) => Number(values[i * SPEND_WINDOWS.length + w] ?? 0);
      restored.set(key.id, { day: at(0), week: at(1), month: at(2) });
    });
  }
  return restored;
}

// One rebuild at a time per key and day on this instance: a burst of requests right after a loss
// (or at midnight) waits for the same query instead of each making its own.
const restoring = singleFlight<unknown>();

/** restoreSpendCounters for the key of one request, shared by the requests that need it at once. */
export function restoreKeySpend(key: KeyRef, now: Date, redis: Redis = getRedis()): Promise<unknown> {
  return restoring(`${key.id}|${windowId('day', now)}`, () => restoreSpendCounters([key], now, redis));
}

/**
 * Settled spend of each key in the current day, week and month, by key id: one MGET per account
 * (a cluster refuses one across slots); keys with a missing counter are rebuilt first (so
 * GET /v1/key and the dashboard never show a lost window as zero).
 */
export async function readKeySpend(keys: readonly KeyRef[], now = new Date(), redis: Redis = getRedis()): Promise<Map<string, WindowSpend>> {
  const spend = new Map<string, WindowSpend>();
  if (keys.length === 0) return spend;
  const read = await Promise.all(
    byAccount(keys).map(async (group) => {
      const names = group.flatMap((key) => SPEND_WINDOWS.map((window) => spendCounterKey(key, window, now)));
      return { group, values: await redis.mget<(number | string | null)[]>(...names) };
    }),
  );
  const incomplete = read.flatMap(({ group, values }) => group.filter((_, i) => SPEND_WINDOWS.some((_w, w) => values[i * SPEND_WINDOWS.length + w] === null)));
  const restored = await restoreSpendCounters(incomplete, now, redis);
  for (const { group, values } of read) {
    group.forEach((key, i) => {
      const at = (w: number) => Number(values[i * SPEND_WINDOWS.length + w] ?? 0);
      spend.set(key.id, restored.get(key.id) ?? { day: at(0), week: at(1), month: at(2) });
    });
  }
  return spend;
}
