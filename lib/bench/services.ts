import IORedis from 'ioredis';
import postgres from 'postgres';

/**
 * The real services the benchmark runs on. Only the benchmark reads BENCH_DATABASE_URL and
 * BENCH_REDIS_URL; the app under test gets the derived DATABASE_URL / REDIS_URL.
 */

/** An admin connection: the benchmark creates (and first drops) its own database there. */
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * Logical database 15 by default, not 0: the usage queue has fixed key names ({conduit:usage}), so
 * any other Conduit draining the same Redis database (a dev server, a test run) would take the
 * benchmark's records and drop them as belonging to an unknown account. A database of our own
 * isolates that without flushing anything.
 */
export const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
export const DATABASE_NAME = 'conduit_bench';

export function benchDatabaseUrl(name = DATABASE_NAME): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and re-creates a bench database (each benchmark has its own); fails with a clear message when PostgreSQL is down. */
export async function freshDatabase(name = DATABASE_NAME): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    throw new Error(`PostgreSQL at ${redact(adminUrl)} is required (set BENCH_DATABASE_URL): ${(error as Error).message}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return benchDatabaseUrl(name);
}

/**
 * Checks Redis answers, and warns when another Conduit already drains this database's usage
 * queue (a heartbeat in the last 30 s): its drain would compete for our records.
 */
export async function checkRedis(): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => void (lastError = error));
  try {
    await redis.connect();
    const consumers = await redis.zrangebyscore('{conduit:usage}:consumers', Date.now() - 30_000, '+inf');
    if (consumers.length > 0) {
      console.warn(`[bench] warning: ${consumers.length} other usage drain(s) active on ${redisUrl}; usage counts may come out short`);
    }
  } catch (error) {
    throw new Error(`Redis at ${redisUrl} is required (set BENCH_REDIS_URL): ${(lastError ?? (error as Error)).message}`);
  } finally {
    redis.disconnect();
  }
}

/**
 * Waits until the usage rows of `keyId` stop growing (the server's drain moves them from Redis in
 * batches every second) and at least `expected` are in, or `timeoutMs` passes. Returns the count.
 */
export async function waitForUsageRows(keyId: string, expected: number, timeoutMs = 60_000): Promise<number> {
  const sql = postgres(benchDatabaseUrl(), { max: 1, onnotice: () => {} });
  try {
    const deadline = Date.now() + timeoutMs;
    let previous = -1;
    for (;;) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from usage_records where key_id = ${keyId}`;
      const count = row?.n ?? 0;
      // Done when everything expected is in and a further 2 s brought nothing new.
      if ((count >= expected && count === previous) || Date.now() > deadline) return count;
      previous = count;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
