import { closeDatabase } from '@/db';
import { closeSharedRedis } from '@/lib/redis/client';

/** The test process's own connections, made by the app modules that created the account. */
export async function closeAppConnections(): Promise<void> {
  await Promise.all([closeDatabase(), closeSharedRedis()]);
}
