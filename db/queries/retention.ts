import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../open';
import { rowsOf } from './usage-analytics';

/**
 * Deletes up to `limit` usage_records created before `cutoff`, oldest first (usage_records_created_idx);
 * returns how many. Small batches keep each transaction short: the drain inserts meanwhile.
 */
export async function deleteUsageBefore(db: Database, cutoff: Date, limit: number): Promise<number> {
  const result = await db.execute(sql`
    with doomed as (
      select request_id from usage_records where created_at < ${cutoff.toISOString()}::timestamptz order by created_at limit ${limit}
    )
    delete from usage_records where request_id in (select request_id from doomed) returning 1 as gone`);
  return rowsOf(result).length;
}
