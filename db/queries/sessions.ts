import 'server-only';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { revokedSessions, users, type User } from '../schema';

/**
 * The user of a session and whether that session was revoked, in one query: every dashboard
 * request and server action asks (lib/auth/session.ts).
 */
export async function findSessionUser(db: Database, userId: string, sid: string): Promise<{ user: User; revoked: boolean } | undefined> {
  const [row] = await db
    .select({ user: users, revoked: sql<boolean>`exists (select 1 from ${revokedSessions} where ${revokedSessions.sid} = ${sid})` })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return row && { user: row.user, revoked: row.revoked === true };
}

/**
 * Records a session as revoked until `expiresAt` (idempotent; nothing for an account that no
 * longer exists, whose sessions end anyway), and deletes the rows whose sessions expired.
 */
export async function revokeSession(db: Database, session: { sid: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.execute(sql`
    insert into ${revokedSessions} (sid, user_id, expires_at)
    select ${session.sid}, ${session.userId}, ${session.expiresAt.toISOString()}::timestamptz
    where exists (select 1 from ${users} where ${users.id} = ${session.userId})
    on conflict (sid) do nothing`);
  await db.delete(revokedSessions).where(sql`${revokedSessions.expiresAt} < now()`);
}
