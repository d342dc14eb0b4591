import 'server-only';
import { z } from 'zod';
import { env } from '@/lib/env';
import { mailSettled } from '@/lib/email/send';
import { ApiError, errorResponse } from '@/lib/errors';
import { isCronAuthorized } from './auth';
import { runDrainJob, runRetentionJob } from './jobs';

/**
 * GET /api/cron/{job}: the background work of BACKGROUND_JOBS=cron, for a scheduler to call
 * (vercel.json's crons). `drain` releases lapsed reservations, then drains the usage queue into
 * PostgreSQL (evaluating alerts, like every drain pass) until it is empty or CRON_TIME_BUDGET_MS is
 * used; `retention` deletes raw usage records past USAGE_RETENTION_DAYS. Each answers JSON saying
 * what it did. Safe to call concurrently and repeatedly: see jobs.ts.
 */

export const cronJobSchema = z.enum(['drain', 'retention']);
export type CronJob = z.infer<typeof cronJobSchema>;

const NO_STORE = { 'cache-control': 'no-store' };
const MAIL_WAIT_MS = 4_000;

export async function handleCron(request: Request, job: string): Promise<Response> {
  const { CRON_SECRET, CRON_TIME_BUDGET_MS } = env();
  // Without a secret the route runs nothing: background work is never open to anyone.
  if (!CRON_SECRET) {
    return errorResponse(
      new ApiError(503, 'cron_not_configured', 'The cron route is off: set CRON_SECRET to use it.', { type: 'api_error' }),
      NO_STORE,
    );
  }
  // Checked before the job's name, so a caller without the secret learns nothing about the route.
  if (!isCronAuthorized(request.headers.get('authorization'), CRON_SECRET)) {
    return errorResponse(new ApiError(401, 'invalid_cron_secret', 'Send the cron secret as `Authorization: Bearer <CRON_SECRET>`.'), NO_STORE);
  }
  const parsed = cronJobSchema.safeParse(job);
  if (!parsed.success) {
    return errorResponse(new ApiError(404, 'cron_job_not_found', `There is no cron job "${job.slice(0, 50)}": use drain or retention.`), NO_STORE);
  }
  try {
    const report =
      parsed.data === 'drain' ? await runDrainJob({ budgetMs: CRON_TIME_BUDGET_MS }) : await runRetentionJob({ budgetMs: CRON_TIME_BUDGET_MS });
    // Alert mail the drain queued goes out before answering: a serverless function may be frozen
    // (and its pending sockets dropped) as soon as its response is sent. Bounded, so a slow mail
    // server cannot push the answer past the platform's limit (the notifications are stored anyway).
    await Promise.race([mailSettled(), new Promise((resolve) => setTimeout(resolve, MAIL_WAIT_MS).unref())]);
    return Response.json(report, { headers: NO_STORE });
  } catch (error) {
    // Redis or PostgreSQL down: 503 with retry-after (errorResponse); the next call picks up
    // where this one stopped — claimed batches are recovered, deletions are idempotent.
    return errorResponse(error, NO_STORE);
  }
}
