import 'server-only';
import type { Redis } from '@upstash/redis';
import { getRedis } from '@/lib/redis/client';
import { runCommand } from '@/lib/redis/raw';
import { appUsageQueue, type UsageQueue } from './queue';

/**
 * The dead-letter list (`{conduit:usage}:dead`, queue.deadKey): queue entries the drain could not
 * store — not a usage record at all, or a record PostgreSQL refused on its own (store.ts) — set
 * aside with the reason, so that the queue behind them keeps moving. Newest on the left; only the
 * latest DEAD_LETTER_CAP are kept, as a flood of bad entries must not fill Redis.
 *
 * An entry is dead-lettered before its batch is acknowledged: a drain dying in between delivers
 * the batch again and may dead-letter the same entry twice (replaying both is harmless: the
 * insert is idempotent on request id).
 */

export const DEAD_LETTER_CAP = 10_000;
/** A record is ~0.5 kB; anything far longer is junk, kept in part to show what it was. */
const MAX_ENTRY_CHARS = 64 * 1024;

export interface DeadLetter {
  /** The queue entry as the drain read it: normally the record's JSON, which is what a replay pushes back. */
  entry: string;
  /** Why: PostgreSQL's SQLSTATE and message, or what the record schema found wrong. */
  reason: string;
  /** The record's request id, when it had one. */
  requestId: string | null;
  /** When it was set aside, epoch ms. */
  at: number;
  consumer: string;
  /** Set when `entry` was cut to MAX_ENTRY_CHARS (then it cannot be replayed as is). */
  truncated?: true;
}

export function deadLetterOf(entry: unknown, reason: string, requestId: string | null, consumer: string, at = Date.now()): DeadLetter {
  const text = typeof entry === 'string' ? entry : (JSON.stringify(entry) ?? String(entry));
  const letter: DeadLetter = { entry: text.slice(0, MAX_ENTRY_CHARS), reason, requestId, at, consumer };
  if (text.length > MAX_ENTRY_CHARS) letter.truncated = true;
  return letter;
}

/** Adds the letters and trims the list to its cap, in one round trip. */
export async function deadLetter(redis: Redis, queue: UsageQueue, letters: readonly DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const pipeline = redis.pipeline();
  pipeline.lpush(queue.deadKey, ...letters.map((letter) => JSON.stringify(letter)));
  pipeline.ltrim(queue.deadKey, 0, DEAD_LETTER_CAP - 1);
  await pipeline.exec();
}

/** How many entries wait in the dead-letter list (for a health check: above 0 wants a look). */
export async function deadLetterCount(queue: UsageQueue = appUsageQueue(), redis: Redis = getRedis()): Promise<number> {
  return redis.llen(queue.deadKey);
}

/** The `limit` most recent dead letters, newest first. */
export async function recentDeadLetters(limit = 10, queue: UsageQueue = appUsageQueue(), redis: Redis = getRedis()): Promise<DeadLetter[]> {
  if (limit <= 0) return [];
  const raw = (await runCommand(redis, ['LRANGE', queue.deadKey, 0, limit - 1])) as string[];
  return raw.map((text) => JSON.parse(text) as DeadLetter);
}

/**
 * Puts the `limit` oldest dead letters' entries back on the queue, e.g. after a fix deployed for
 * whatever PostgreSQL refused. Each letter leaves the list (LREM of its exact text, which stays
 * right whatever else is pushed or trimmed meanwhile) only once its entry is queued again. An
 * entry still refused comes back to the list, with the new reason; a truncated one is skipped.
 */
export async function replayDeadLetters(limit: number, queue: UsageQueue = appUsageQueue(), redis: Redis = getRedis()): Promise<{ replayed: number; skipped: number }> {
  const raw = (await runCommand(redis, ['LRANGE', queue.deadKey, -Math.max(1, limit), -1])) as string[];
  let replayed = 0;
  let skipped = 0;
  for (const text of raw.reverse()) {
    const letter = JSON.parse(text) as DeadLetter;
    if (letter.truncated) {
      skipped++;
      continue;
    }
    await runCommand(redis, ['LPUSH', queue.key, letter.entry]);
    await runCommand(redis, ['LREM', queue.deadKey, -1, text]);
    replayed++;
  }
  return { replayed, skipped };
}
