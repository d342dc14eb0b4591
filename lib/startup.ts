import 'server-only';
import { ensureDatabase } from '@/db';
import { DatabaseLockedError } from '@/db/open';
import { ConfigError, env } from '@/lib/env';
import { startReservationSweeper } from '@/lib/limits/sweeper';
import { startUsageDrain } from '@/lib/usage/drain';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'startup' });

export async function startServer(): Promise<void> {
  try {
    env();
    await ensureDatabase();
  } catch (error) {
    // Exit rather than serve errors: a misconfigured or locked instance must not look healthy.
    const expected = error instanceof ConfigError || error instanceof DatabaseLockedError;
    if (expected) log.fatal(error.message);
    else log.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
  startBackgroundJobs();
}

/** Where this process's share of the background work runs the usage drain (see below). */
export type DrainPlacement = 'elsewhere' | 'here' | 'thread';

/**
 * Under `npm start` on several cores (lib/server/primary.mjs), worker 0 runs the drain and the
 * sweep for the machine; the other workers, like a serverless instance (BACKGROUND_JOBS=cron),
 * leave it to others. The production entry (lib/server/worker.mjs) sets CONDUIT_DRAIN_THREAD: on
 * PostgreSQL and a shared Redis it runs the drain on a thread of its own (lib/usage/drain-thread.ts),
 * off the event loop that serves requests. The embedded database and store belong to this thread,
 * so with either of them — and under `next dev` — the drain runs here.
 */
export function drainPlacement(mode: 'timers' | 'cron' = env().BACKGROUND_JOBS): DrainPlacement {
  const otherWorker = process.env.CONDUIT_WORKER !== undefined && process.env.CONDUIT_WORKER !== '0';
  if (mode === 'cron' || otherWorker) return 'elsewhere';
  const { DATABASE_URL, REDIS_URL, REDIS_CLUSTER_URLS, UPSTASH_REDIS_REST_URL } = env();
  const shared = Boolean(DATABASE_URL) && Boolean(REDIS_URL || REDIS_CLUSTER_URLS?.length || UPSTASH_REDIS_REST_URL);
  return shared && process.env.CONDUIT_DRAIN_THREAD === '1' ? 'thread' : 'here';
}

/**
 * Background work every instance shares: usage records into PostgreSQL (alerts and, hourly,
 * retention with them), and the release of spend reserved by requests whose process died. With
 * BACKGROUND_JOBS=cron none of it runs here — /api/cron does it (a serverless function is frozen
 * between requests) — except renewing the leases of this instance's own requests in flight. The
 * drain's thread, when it has one, is started by the production entry (hot-path.ts).
 */
export function startBackgroundJobs(mode: 'timers' | 'cron' = env().BACKGROUND_JOBS): void {
  const placement = drainPlacement(mode);
  if (placement === 'elsewhere') {
    startReservationSweeper({ sweep: false });
    return;
  }
  if (placement === 'here') startUsageDrain();
  startReservationSweeper();
}
