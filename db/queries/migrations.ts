import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '@/db';
import { rowsOf } from './usage-analytics';

/** How many migrations drizzle has recorded as applied to this database. */
export async function appliedMigrationCount(db: Database): Promise<number> {
  const result = await db.execute(sql`select count(*)::int as applied from drizzle.__drizzle_migrations`);
  return Number(rowsOf<{ applied: number }>(result)[0]?.applied ?? 0);
}
