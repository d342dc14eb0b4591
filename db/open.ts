import 'server-only';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import lockfile from 'proper-lockfile';
import postgres from 'postgres';
import * as schema from './schema';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'db' });

/** The one database type the app codes against, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseTarget =
  /** `migrationUrl`: a direct (unpooled) connection for the migration lock, when `url` goes through a pooler. */
  | { kind: 'postgres'; url: string; migrationUrl?: string; /** Connections at most (default 10). */ poolMax?: number }
  | { kind: 'embedded'; dataDir: string }
  /** A throwaway in-memory PGlite, for tests of the embedded path. */
  | { kind: 'memory' };

export interface OpenDatabase {
  db: Database;
  target: DatabaseTarget['kind'];
  close(): Promise<void>;
}

export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

export function openDatabase(target: DatabaseTarget): OpenDatabase {
  switch (target.kind) {
    case 'postgres': {
      // connect_timeout (seconds): a database that does not answer fails the request that needed it
      // (503) instead of holding it for postgres.js' default 30 s; long enough for a serverless
      // database (Neon) waking from suspend.
      const sql = postgres(target.url, { max: target.poolMax ?? 10, connect_timeout: 5, onnotice: () => {} });
      return { db: drizzlePostgres(sql, { schema }), target: 'postgres', close: () => sql.end({ timeout: 5 }) };
    }
    case 'embedded':
      return openEmbedded(path.resolve(target.dataDir, 'pglite'));
    case 'memory': {
      const client = new PGlite();
      return { db: drizzlePglite(client, { schema }), target: 'memory', close: () => client.close() };
    }
  }
}

/**
 * PGlite keeps Postgres' files in one directory but has no cross-process locking of its own:
 * two processes opening the same directory both "work" and writes are silently lost. So the
 * directory is locked first (proper-lockfile: a lock directory whose mtime the owner keeps
 * fresh, so the lock of a crashed process goes stale and can be taken over).
 */
function openEmbedded(dir: string): OpenDatabase {
  mkdirSync(dir, { recursive: true });
  let release: () => void;
  try {
    release = lockfile.lockSync(dir, {
      stale: 30_000,
      update: 10_000,
      // The default throws from a timer, killing the server. Losing the lock means another
      // process may now write too: say so loudly and keep serving what is in memory.
      onCompromised: (error) => log.error({ dir, reason: error.message }, 'lost the lock on the data directory'),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DatabaseLockedError(
        `The embedded database in ${dir} is already open in another process. ` +
          'Stop the other `npm run dev` / `npm start` first, or set DATA_DIR to another directory.',
      );
    }
    throw error;
  }
  const client = new PGlite(dir);
  return {
    db: drizzlePglite(client, { schema }),
    target: 'embedded',
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}
