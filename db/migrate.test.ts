import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations } from './migrate';
import { DatabaseLockedError, openDatabase, type Database } from './open';
import { users } from './schema';
import { createScratchDatabase, requirePostgresInCi, testDatabaseUrl } from './test-database';

async function tableNames(db: Database): Promise<string[]> {
  const rows = await db
    .select({ name: sql<string>`table_name` })
    .from(sql`information_schema.tables`)
    .where(sql`table_schema = 'public'`);
  return rows.map((row) => row.name);
}

describe('migrations on embedded PGlite', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('apply, twice without harm, and the data survives a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'conduit-pglite-'));
    dirs.push(dataDir);
    const target = { kind: 'embedded', dataDir } as const;

    const first = openDatabase(target);
    await applyMigrations(first, target);
    await applyMigrations(first, target);
    expect(await tableNames(first.db)).toEqual(expect.arrayContaining(['accounts', 'users']));
    await first.db.insert(users).values({ email: 'kept@example.com' });
    await first.close();

    const second = openDatabase(target);
    await applyMigrations(second, target);
    const rows = await second.db.select({ email: users.email }).from(users);
    expect(rows).toEqual([{ email: 'kept@example.com' }]);
    await second.close();
  });

  it('refuses a second opener of the same data directory', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'conduit-pglite-'));
    dirs.push(dataDir);
    const open = openDatabase({ kind: 'embedded', dataDir });
    try {
      expect(() => openDatabase({ kind: 'embedded', dataDir })).toThrow(DatabaseLockedError);
      expect(() => openDatabase({ kind: 'embedded', dataDir })).toThrow(/already open in another process/);
      // Another process (the real hazard: a second `npm run dev`) is refused too.
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--conditions=react-server', '-e', `
          import('./db/open.ts').then(({ openDatabase }) => {
            try { openDatabase({ kind: 'embedded', dataDir: ${JSON.stringify(dataDir)} }); console.log('opened'); }
            catch (error) { console.log(error.name); }
          });`],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(child.stdout.trim(), child.stderr).toBe('DatabaseLockedError');
    } finally {
      await open.close();
    }
    // Released on close: the directory can be opened again.
    const again = openDatabase({ kind: 'embedded', dataDir });
    await again.close();
  });
});

requirePostgresInCi();

describe.skipIf(!testDatabaseUrl)('migrations on PostgreSQL', () => {
  it('apply on an empty database, twice, and concurrently from several instances', async () => {
    const scratch = await createScratchDatabase();
    const target = { kind: 'postgres', url: scratch.url } as const;
    const open = openDatabase(target);
    try {
      await Promise.all([applyMigrations(open, target), applyMigrations(open, target), applyMigrations(open, target)]);
      await applyMigrations(open, target);
      expect(await tableNames(open.db)).toEqual(expect.arrayContaining(['accounts', 'users']));
      await open.db.insert(users).values({ email: 'pg@example.com' });
      await expect(open.db.insert(users).values({ email: 'pg@example.com' })).rejects.toThrow();
    } finally {
      await open.close();
      await scratch.drop();
    }
  });

  it('take the lock and migrate over migrationUrl (a direct connection) when one is given, not over the pooled url', async () => {
    const scratch = await createScratchDatabase();
    const open = openDatabase({ kind: 'postgres', url: scratch.url });
    try {
      // The "pooled" url leads nowhere: migrating over it would fail to connect.
      await applyMigrations(open, { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere', migrationUrl: scratch.url });
      expect(await tableNames(open.db)).toEqual(expect.arrayContaining(['accounts', 'users']));
    } finally {
      await open.close();
      await scratch.drop();
    }
  });
});
