import 'server-only';
import { getDb } from '@/db';
import { refillRollupTiers } from '@/db/queries/rollup-tiers';
import { ConfigError, env } from '@/lib/env';

/**
 * `npm run usage:refill-tiers` rebuilds the daily, totals and per-end-user-day rollups from the
 * hourly ones (db/queries/rollup-tiers.ts): after a rolling upgrade in which instances of an older
 * version drained records into the hourly tables only. Uses the server's DATABASE_URL.
 */
async function main() {
  try {
    env();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
  const started = performance.now();
  await refillRollupTiers(await getDb());
  console.log(`Refilled usage_daily, usage_hourly_totals and usage_daily_end_users from the hourly rollups in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  process.exit(0);
}

void main();
