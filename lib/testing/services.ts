import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase, requirePostgresInCi, testDatabaseUrl } from '@/db/test-database';

/**
 * A Redis Cluster for the tests (TEST_REDIS_CLUSTER_URLS, comma-separated redis:// nodes): when
 * set, every test that goes through useTestServices runs on it instead of TEST_REDIS_URL's Redis
 * (`.ci/run` has a step for the Redis, limits and gateway tests on a local 3-primary cluster).
 */
const clusterUrls = () => process.env.TEST_REDIS_CLUSTER_URLS?.split(',').map((url) => url.trim()).filter(Boolean) ?? [];

/**
 * Whether the tests' Redis is shared with the test files running beside this one (real Redis, or a
 * cluster): then a test may only remove its own keys. Only the embedded store is a file's own.
 */
export const sharedTestRedis = Boolean(process.env.TEST_REDIS_URL || clusterUrls().length);

/**
 * Test support: points this test file's process at real PostgreSQL (a fresh scratch database)
 * and real Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set — as CI does — (a Redis Cluster
 * with TEST_REDIS_CLUSTER_URLS) or else at the embedded PGlite and in-process store. Call before
 * importing any module that reads env().
 */
export async function useTestServices(): Promise<{ label: string; cleanup(): Promise<void> }> {
  requirePostgresInCi();
  if (process.env.CI && !process.env.TEST_REDIS_URL) throw new Error('CI must set TEST_REDIS_URL (real Redis)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'conduit-test-'));
  const scratch = testDatabaseUrl ? await createScratchDatabase() : undefined;
  process.env.DATA_DIR = dataDir;
  if (scratch) {
    process.env.DATABASE_URL = scratch.url;
    process.env.AUTH_SECRET = 'test-secret-test-secret-test-secret-0123';
  }
  const cluster = clusterUrls();
  if (cluster.length > 0) {
    process.env.REDIS_CLUSTER_URLS = cluster.join(',');
    delete process.env.REDIS_URL;
  } else if (process.env.TEST_REDIS_URL) process.env.REDIS_URL = process.env.TEST_REDIS_URL;
  // Test files share one Redis but each has its own database: each needs its own usage queue too,
  // or one file's drain would take another's records into the wrong database.
  process.env.USAGE_QUEUE_KEY = `conduit-test:${randomUUID()}:usage`;
  return {
    label: `${scratch ? 'PostgreSQL' : 'embedded PGlite'} + ${cluster.length > 0 ? 'Redis Cluster' : process.env.TEST_REDIS_URL ? 'Redis' : 'embedded store'}`,
    async cleanup() {
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
