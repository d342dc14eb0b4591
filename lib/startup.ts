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

/**
 * Background work every instance shares: usage records into PostgreSQL (alerts and, hourly,
 * retention with them), and the release of spend reserved by requests whose process died. With
 * BACKGROUND_JOBS=cron none of it runs here — /api/cron does it (a serverless function is frozen
 * between requests) — except renewing the leases of this instance's own requests in flight.
 */
export function startBackgroundJobs(mode: 'timers' | 'cron' = env().BACKGROUND_JOBS): void {
  // Under `npm start` on several cores (lib/server/primary.mjs), worker 0 runs the drain and the
  // sweep for the machine; the other workers, like a serverless instance, renew their own leases.
  const otherWorker = process.env.CONDUIT_WORKER !== undefined && process.env.CONDUIT_WORKER !== '0';
  if (mode === 'cron' || otherWorker) {
    startReservationSweeper({ sweep: false });
    return;
  }
  startUsageDrain();
  startReservationSweeper();
}
