import 'server-only';
import { ensureDatabase } from '@/db';
import { DatabaseLockedError } from '@/db/open';
import { ConfigError, env } from '@/lib/env';
import { startReservationSweeper } from '@/lib/limits/sweeper';
import { startUsageDrain } from '@/lib/usage/drain';

export async function startServer(): Promise<void> {
  try {
    env();
    await ensureDatabase();
  } catch (error) {
    // Exit rather than serve errors: a misconfigured or locked instance must not look healthy.
    const expected = error instanceof ConfigError || error instanceof DatabaseLockedError;
    console.error(expected ? error.message : error);
    process.exit(1);
  }
  // Background work every instance shares: usage records into PostgreSQL, and the release of
  // spend reserved by requests whose process died.
  startUsageDrain();
  startReservationSweeper();
}
