import 'server-only';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from '@upstash/redis';
import { sweepReservations } from '@/lib/limits/sweeper';
import { getRedis } from '@/lib/redis/client';
import { retireConsumer } from '@/lib/usage/consumer';
import { DEFAULT_BATCH_SIZE, drainUsageOnce, topUpsSettled } from '@/lib/usage/drain';
import { appUsageQueue, type UsageQueue } from '@/lib/usage/queue';
import { pruneUsageUntil } from '@/lib/usage/retention';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'cron' });

/**
 * The background work of BACKGROUND_JOBS=cron, one call per cron request (lib/cron/handler.ts).
 *
 * Each call drains as a consumer of its own (lib/usage/queue.ts), named for this invocation:
 * - never shared with a concurrent call, in this instance or another — the acknowledgement trims a
 *   consumer's processing list by count, which is only right for one pass at a time per name;
 * - a call that ends normally has acknowledged everything it claimed, and leaves the consumer set
 *   (retireConsumer), so the set does not grow by one name a minute;
 * - a call killed or frozen mid-pass (its maxDuration, a crash) leaves its batch claimed under a
 *   heartbeat that no longer moves: once older than the drain's idle threshold (30 s), the next
 *   call's pass takes the batch over (claimBatch's recovery) and stores it — idempotently, so a
 *   batch that was committed but not acknowledged is not stored twice.
 */

export interface DrainJobReport {
  job: 'drain';
  /** Lapsed reservations (of instances that died mid-request) given back. */
  reservationsReleased: number;
  passes: number;
  /** Queue entries read and acknowledged, including those taken over from dead consumers. */
  read: number;
  /** Rows newly written to usage_records. */
  inserted: number;
  /** Records already stored: redeliveries. */
  duplicates: number;
  /** Entries taken over from consumers that stopped mid-pass. */
  recovered: number;
  deadLettered: number;
  /** True when the time budget ran out before the queue did: the next call goes on. */
  stoppedAtBudget: boolean;
  durationMs: number;
}

export interface DrainJobOptions {
  /** How long to keep starting passes (CRON_TIME_BUDGET_MS). */
  budgetMs: number;
  batchSize?: number;
  idleMs?: number;
  queue?: UsageQueue;
  redis?: Redis;
}

/** A consumer name no other call will use: host, process, and a random part per invocation. */
export function cronConsumerName(): string {
  return `cron:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Sweeps lapsed reservations (in at most half the budget), then drains (alerts are evaluated by
 * each pass) until the queue is empty or the budget is used, then waits for the top-ups the
 * passes started, until the budget's end at most.
 */
export async function runDrainJob(options: DrainJobOptions): Promise<DrainJobReport> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const redis = options.redis ?? getRedis();
  const queue = options.queue ?? appUsageQueue();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const consumer = cronConsumerName();

  // The sweep may use half the budget; the drain, which loses records if it falls behind, the
  // rest. A sweep that fails (one cluster node down) never stops the drain.
  const reservationsReleased = await sweepReservations(Date.now(), 500, redis, 10, started + options.budgetMs / 2).catch((error: unknown) => {
    log.error({ err: error }, 'reservation sweep failed; draining anyway');
    return 0;
  });
  const report: DrainJobReport = {
    job: 'drain',
    reservationsReleased,
    passes: 0,
    read: 0,
    inserted: 0,
    duplicates: 0,
    recovered: 0,
    deadLettered: 0,
    stoppedAtBudget: false,
    durationMs: 0,
  };
  let longestPass = 0;
  try {
    for (;;) {
      // No pass is started that would likely still run when the budget ends.
      if (Date.now() + longestPass >= deadline) {
        report.stoppedAtBudget = true;
        break;
      }
      const passStarted = Date.now();
      const pass = await drainUsageOnce({ consumer, batchSize, idleMs: options.idleMs, queue, redis });
      longestPass = Math.max(longestPass, Date.now() - passStarted);
      report.passes++;
      report.read += pass.read;
      report.inserted += pass.inserted;
      report.duplicates += pass.duplicates;
      report.recovered += pass.recovered;
      report.deadLettered += pass.deadLettered;
      // A short batch: the queue (and the dead consumers' lists within reach) ran out.
      if (pass.read < batchSize) break;
    }
  } finally {
    // Only leaves the set with nothing in hand; a batch left by a failed pass awaits recovery.
    await retireConsumer(redis, queue, consumer).catch((error: unknown) => log.error({ err: error }, 'retiring the drain consumer failed'));
  }
  // The function is frozen once it answers: top-ups the passes started should finish first — within
  // the budget, so the function answers before maxDuration. One cut off by the freeze stays pending
  // and is marked failed after 15 minutes (lib/billing/auto-top-up.ts), as when a process dies.
  if (!(await settledBy(topUpsSettled(), deadline))) log.warn({ budgetMs: options.budgetMs }, 'automatic top-ups still running when the time budget ended');
  report.durationMs = Date.now() - started;
  return report;
}

/** Whether `work` settled before `deadline` (it goes on either way). */
async function settledBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RetentionJobReport {
  job: 'retention';
  /** Raw usage records older than USAGE_RETENTION_DAYS deleted. */
  deleted: number;
  stoppedAtBudget: boolean;
  durationMs: number;
}

/** Deletes raw usage records past retention, starting no batch after the budget (the rest: next run). */
export async function runRetentionJob(options: { budgetMs: number; now?: number; days?: number }): Promise<RetentionJobReport> {
  const started = Date.now();
  const { deleted, complete } = await pruneUsageUntil(started + options.budgetMs, { now: options.now, days: options.days });
  return { job: 'retention', deleted, stoppedAtBudget: !complete, durationMs: Date.now() - started };
}
