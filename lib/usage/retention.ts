import 'server-only';
import { getDb } from '@/db';
import { deleteUsageBefore } from '@/db/queries/retention';
import { env } from '@/lib/env';

/**
 * Retention of raw usage records (USAGE_RETENTION_DAYS): rows older than that are deleted in
 * batches, in the background (the drain loop starts it, drain.ts), never on a request's path.
 * The hourly rollups are not touched: charts keep their history, the request log does not.
 */

const DAY_MS = 86_400_000;
const BATCH = 5_000;
/** A breather between batches, so a large first prune never starves the drain of the database. */
const PAUSE_MS = 50;

/** The oldest instant a raw record may have, or null when records are kept forever. */
export function retentionCutoff(now = Date.now(), days = env().USAGE_RETENTION_DAYS): Date | null {
  return days > 0 ? new Date(now - days * DAY_MS) : null;
}

/** Deletes every raw record past retention; returns how many. */
export async function pruneUsage(options: { now?: number; days?: number } = {}): Promise<number> {
  return (await pruneUsageUntil(Number.POSITIVE_INFINITY, options)).deleted;
}

/**
 * Like pruneUsage, but starts no batch after `deadline` (epoch ms): a cron invocation has a
 * maximum duration, and a large first prune can take longer. What is left waits for the next run
 * (`complete: false`); each batch is its own statement, so stopping in between loses nothing.
 */
export async function pruneUsageUntil(deadline: number, options: { now?: number; days?: number } = {}): Promise<{ deleted: number; complete: boolean }> {
  const cutoff = retentionCutoff(options.now, options.days);
  if (!cutoff) return { deleted: 0, complete: true };
  const db = await getDb();
  let total = 0;
  for (;;) {
    const deleted = await deleteUsageBefore(db, cutoff, BATCH);
    total += deleted;
    if (deleted < BATCH) return { deleted: total, complete: true };
    if (Date.now() >= deadline) return { deleted: total, complete: false };
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}
