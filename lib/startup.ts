import 'server-only';
import { ensureDatabase } from '@/db';
import { ConfigError, env } from '@/lib/env';

export async function startServer(): Promise<void> {
  try {
    env();
    await ensureDatabase();
  } catch (error) {
    // Exit rather than serve errors: a misconfigured or locked instance must not look healthy.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
