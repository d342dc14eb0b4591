import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { onTestFinished } from 'vitest';
import { applyMigrations, migrationsFolder } from './migrate';
import { openDatabase, type DatabaseTarget, type OpenDatabase } from './open';

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

/** A migrated database on one engine the app runs on, and how to be rid of it. */
export interface MigratedDatabase {
  db: OpenDatabase;
  done(): Promise<void>;
}

/**
 * The engines to run a suite on: the embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is
 * set (a scratch database each), both fully migrated.
 */
export function testEngines(): { label: string; open(): Promise<MigratedDatabase> }[] {
  const embedded = {
    label: 'embedded PGlite',
    async open() {
      const target: DatabaseTarget = { kind: 'memory' };
      const db = openDatabase(target);
      await applyMigrations(db, target);
      return { db, done: () => db.close() };
    },
  };
  if (!testDatabaseUrl) return [embedded];
  const server = {
    label: 'PostgreSQL',
    async open() {
      const scratch = await createScratchDatabase();
      const target: DatabaseTarget = { kind: 'postgres', url: scratch.url };
      const db = openDatabase(target);
      await applyMigrations(db, target);
      return {
        db,
        async done() {
          await db.close();
          await scratch.drop();
        },
      };
    },
  };
  return [embedded, server];
}

/**
 * A copy of the committed migrations up to and including `lastTag`, as drizzle's migrator reads
 * them: to upgrade a database from an older schema, inside a test (removed when it finishes).
 */
export function migrationsUpTo(lastTag: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'conduit-migrations-'));
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((entry) => entry.tag === lastTag);
  if (last < 0) throw new Error(`no migration tagged ${lastTag}`);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}
