import postgres from 'postgres';

/**
 * Test support: each test file that needs PostgreSQL gets its own empty database on the
 * server named by TEST_DATABASE_URL, so files can run in parallel and leave nothing behind.
 * CI sets TEST_DATABASE_URL; without it these tests are skipped — except under CI, where a
 * missing server must fail the run instead of silently testing less.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export function requirePostgresInCi(): void {
  if (process.env.CI && !testDatabaseUrl) throw new Error('CI must set TEST_DATABASE_URL (real PostgreSQL)');
}

export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `conduit_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
