import 'server-only';
import type { Micros } from '@/lib/money';
import { getRedis } from '@/lib/redis/client';
import { SPEND_WINDOWS, windowId, type SpendWindow } from './windows';

/**
 * Settled spend per key and calendar window lives in Redis under one key per window, e.g.
 * `conduit:spend:key_abc:d2026-11-29`; the gateway adds to it when a request settles.
 * Old windows expire on their own (SPEND_COUNTER_TTL_SECONDS after their last write).
 */
export const SPEND_COUNTER_TTL_SECONDS = 35 * 24 * 3600;

export function spendCounterKey(keyId: string, window: SpendWindow, now: Date): string {
  return `conduit:spend:${keyId}:${windowId(window, now)}`;
}

export type WindowSpend = Record<SpendWindow, Micros>;

/** Settled spend of each key in the current day, week and month: one MGET for all keys. */
export async function readKeySpend(keyIds: readonly string[], now = new Date()): Promise<Map<string, WindowSpend>> {
  const spend = new Map<string, WindowSpend>();
  if (keyIds.length === 0) return spend;
  const names = keyIds.flatMap((id) => SPEND_WINDOWS.map((window) => spendCounterKey(id, window, now)));
  const values = await getRedis().mget<(number | string | null)[]>(...names);
  keyIds.forEach((id, i) => {
    const at = (w: number) => Number(values[i * SPEND_WINDOWS.length + w] ?? 0);
    spend.set(id, { day: at(0), week: at(1), month: at(2) });
  });
  return spend;
}
