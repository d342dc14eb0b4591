import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScratchDatabase, requirePostgresInCi, testDatabaseUrl } from '@/db/test-database';

/**
 * Test support: points this test file's process at real PostgreSQL (a fresh scratch database)
 * and real Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set — as CI does — or else at the
 * embedded PGlite and in-process store. Call before importing any module that reads env().
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
  if (process.env.TEST_REDIS_URL) process.env.REDIS_URL = process.env.TEST_REDIS_URL;
  // Test files share one Redis but each has its own database: each needs its own usage queue too,
  // or one file's drain would take another's records into the wrong database.
  process.env.USAGE_QUEUE_KEY = `conduit-test:${randomUUID()}:usage`;
  return {
    label: `${scratch ? 'PostgreSQL' : 'embedded PGlite'} + ${process.env.TEST_REDIS_URL ? 'Redis' : 'embedded store'}`,
    async cleanup() {
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
