import 'server-only';
import { env } from '@/lib/env';
import { applyMigrations } from './migrate';
import { openDatabase, type Database, type DatabaseTarget, type OpenDatabase } from './open';

export type { Database } from './open';
export * as schema from './schema';

/** From configuration: PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite. */
export function databaseTarget(): DatabaseTarget {
  const { DATABASE_URL, DATABASE_URL_UNPOOLED, DATA_DIR, DATABASE_POOL_MAX } = env();
  return DATABASE_URL
    ? { kind: 'postgres', url: DATABASE_URL, migrationUrl: DATABASE_URL_UNPOOLED, poolMax: DATABASE_POOL_MAX ?? defaultPoolMax() }
    : { kind: 'embedded', dataDir: DATA_DIR };
}

/**
 * Connections one process may open: 10 for a server of its own, shared out among `npm start`'s
 * workers (CONDUIT_WORKERS, set by lib/server/primary.mjs) so a machine opens about 10 whatever its
 * cores — PostgreSQL's default max_connections is 100 for every machine together.
 */
function defaultPoolMax(): number {
  const workers = Number(process.env.CONDUIT_WORKERS ?? 1);
  return Math.max(2, Math.ceil(10 / (Number.isInteger(workers) && workers > 0 ? workers : 1)));
}

interface Holder {
  open?: OpenDatabase;
  ready?: Promise<void>;
}

// Next.js can evaluate this module in several bundles of one process (instrumentation, route
// handlers, server actions). They must share one connection pool, and above all one PGlite.
const holder: Holder = ((globalThis as Record<symbol, Holder>)[Symbol.for('conduit.db')] ??= {});

function current(): OpenDatabase {
  if (!holder.open) {
    if (env().NEXT_PHASE === 'phase-production-build') {
      // Pages that read the database are dynamic; reaching this during a build is a bug that
      // would also lock (or initialise) the embedded data directory from the build process.
      throw new Error('The database is not available during `next build`.');
    }
    holder.open = openDatabase(databaseTarget());
  }
  return holder.open;
}

/** Opens the database and applies pending migrations once per process. */
export function ensureDatabase(): Promise<void> {
  holder.ready ??= applyMigrations(current(), databaseTarget()).catch((error: unknown) => {
    holder.ready = undefined;
    throw error;
  });
  return holder.ready;
}

/** The database, migrated. Server code awaits this before its first query. */
export async function getDb(): Promise<Database> {
  await ensureDatabase();
  return current().db;
}

/**
 * Closes this process's database connections (a pool, or the embedded PGlite and its lock): the
 * last step of a graceful shutdown. A later getDb() opens them again.
 */
export async function closeDatabase(): Promise<void> {
  const open = holder.open;
  holder.open = undefined;
  holder.ready = undefined;
  await open?.close();
}
