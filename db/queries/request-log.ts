import 'server-only';
import { and, desc, eq, gte, isNotNull, lt, lte, or, type SQL } from 'drizzle-orm';
import type { ResolvedFilters } from '@/lib/usage/filters';
import type { Database } from '../open';
import { usageRecords, type UsageRow } from '../schema';

/**
 * The request log: individual usage_records of one account, newest first, with keyset pagination
 * on (created_at, request_id) — each page starts where the last one ended, so page 1 000 costs what
 * page 1 does (OFFSET would scan and discard every row before it). The CSV export reads the same
 * pages in a loop (lib/usage/export.ts).
 */

export interface LogCursor {
  createdAt: Date;
  requestId: string;
}

export function encodeCursor(row: Pick<UsageRow, 'createdAt' | 'requestId'>): string {
  return `${row.createdAt.getTime()}.${row.requestId}`;
}

export function decodeCursor(text: string | undefined): LogCursor | undefined {
  const match = text ? /^(\d{1,15})\.(.+)$/.exec(text) : null;
  return match ? { createdAt: new Date(Number(match[1])), requestId: match[2]! } : undefined;
}

function conditions(userId: string, f: ResolvedFilters, cursor?: LogCursor): SQL | undefined {
  const u = usageRecords;
  const parts: (SQL | undefined)[] = [eq(u.userId, userId), gte(u.createdAt, f.start), lt(u.createdAt, f.end)];
  if (f.keyId !== undefined) parts.push(eq(u.keyId, f.keyId));
  if (f.linkId !== undefined) parts.push(eq(u.linkId, f.linkId));
  // '' is how the rollups say "none"; in raw rows that is NULL (the page never offers it for models).
  if (f.model !== undefined) parts.push(eq(u.model, f.model));
  if (f.endUser !== undefined) parts.push(and(isNotNull(u.endUser), eq(u.endUser, f.endUser)));
  if (f.statusClass !== undefined) parts.push(gte(u.status, f.statusClass * 100), lt(u.status, f.statusClass * 100 + 100));
  if (cursor) {
    // The redundant `created_at <= cursor` is what the index can seek to; the OR then only
    // breaks ties within that one instant.
    parts.push(lte(u.createdAt, cursor.createdAt), or(lt(u.createdAt, cursor.createdAt), lt(u.requestId, cursor.requestId)));
  }
  return and(...parts);
}

/** One page, newest first; `limit` rows at most. */
export function listRequests(db: Database, userId: string, f: ResolvedFilters, cursor: LogCursor | undefined, limit: number): Promise<UsageRow[]> {
  return db
    .select()
    .from(usageRecords)
    .where(conditions(userId, f, cursor))
    .orderBy(desc(usageRecords.createdAt), desc(usageRecords.requestId))
    .limit(limit);
}

/** One request of the account (another account's id is simply not found). */
export async function getRequest(db: Database, userId: string, requestId: string): Promise<UsageRow | undefined> {
  const [row] = await db
    .select()
    .from(usageRecords)
    .where(and(eq(usageRecords.userId, userId), eq(usageRecords.requestId, requestId)))
    .limit(1);
  return row;
}
