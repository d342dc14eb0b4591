import 'server-only';
import path from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import type { DatabaseTarget, OpenDatabase } from './open';

export const migrationsFolder = path.join(process.cwd(), 'db', 'migrations');

/** Arbitrary constant: the advisory lock that serialises migrations across app instances. */
const MIGRATION_LOCK_ID = 4_242_001;

/**
 * Applies the committed drizzle-kit migrations; safe to call on every start and from several
 * instances at once (PostgreSQL: under an advisory lock on one dedicated connection, because
 * a pooled client could take and release the lock on different connections). For the same reason
 * it connects directly when given `migrationUrl`: behind a pooler in transaction mode (Neon's
 * `-pooler` host, PgBouncer) a session lock stays with whichever server connection took it, and
 * the next start waits for it forever.
 */
export async function applyMigrations(open: OpenDatabase, target: DatabaseTarget): Promise<void> {
  if (target.kind !== 'postgres') {
    await migratePglite(open.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  const sql = postgres(target.migrationUrl ?? target.url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres(sql), { migrationsFolder });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
