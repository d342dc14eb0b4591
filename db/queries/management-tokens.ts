import 'server-only';
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../open';
import { managementTokens, type ManagementTokenRow } from '../schema';

export function listActiveTokens(db: Database, userId: string): Promise<ManagementTokenRow[]> {
  return db
    .select()
    .from(managementTokens)
    .where(and(eq(managementTokens.userId, userId), isNull(managementTokens.revokedAt)))
    .orderBy(desc(managementTokens.createdAt));
}

export async function findActiveTokenByHash(db: Database, hash: string): Promise<ManagementTokenRow | undefined> {
  const [row] = await db
    .select()
    .from(managementTokens)
    .where(and(eq(managementTokens.hash, hash), isNull(managementTokens.revokedAt)))
    .limit(1);
  return row;
}

/** True when a token of this account was revoked by this call. */
export async function revokeToken(db: Database, userId: string, tokenId: string): Promise<boolean> {
  const rows = await db
    .update(managementTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(managementTokens.id, tokenId), eq(managementTokens.userId, userId), isNull(managementTokens.revokedAt)))
    .returning({ id: managementTokens.id });
  return rows.length > 0;
}

/** Records use at most once a minute per token (the WHERE makes repeated calls no-ops). */
export async function touchTokenLastUsed(db: Database, tokenId: string, now: Date): Promise<void> {
  await db
    .update(managementTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(managementTokens.id, tokenId),
        or(isNull(managementTokens.lastUsedAt), lt(managementTokens.lastUsedAt, new Date(now.getTime() - 60_000))),
      ),
    );
}
