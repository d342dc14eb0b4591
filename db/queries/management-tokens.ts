import 'server-only';
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../open';
import { managementTokens, memberships, users, type ManagementTokenRow, type Role } from '../schema';

export interface TokenListing extends ManagementTokenRow {
  /** Who made it (null once they deleted their account). */
  creatorEmail: string | null;
}

export async function listActiveTokens(db: Database, organizationId: string): Promise<TokenListing[]> {
  const rows = await db
    .select({ token: managementTokens, creatorEmail: users.email })
    .from(managementTokens)
    .leftJoin(users, eq(users.id, managementTokens.createdBy))
    .where(and(eq(managementTokens.userId, organizationId), isNull(managementTokens.revokedAt)))
    .orderBy(desc(managementTokens.createdAt));
  return rows.map((row) => ({ ...row.token, creatorEmail: row.creatorEmail }));
}

/** A live token by its hash, with its maker's current role in the token's organization (null: no longer a member). */
export async function findActiveTokenByHash(
  db: Database,
  hash: string,
): Promise<(ManagementTokenRow & { role: Role | null; creatorEmail: string }) | undefined> {
  const [row] = await db
    .select({ token: managementTokens, role: memberships.role, creatorEmail: users.email })
    .from(managementTokens)
    .innerJoin(users, eq(users.id, managementTokens.createdBy))
    .leftJoin(memberships, and(eq(memberships.organizationId, managementTokens.userId), eq(memberships.userId, managementTokens.createdBy)))
    .where(and(eq(managementTokens.hash, hash), isNull(managementTokens.revokedAt)))
    .limit(1);
  return row && { ...row.token, role: row.role, creatorEmail: row.creatorEmail };
}

/** True when a token of this organization (made by `madeBy`, when given) was revoked by this call. */
export async function revokeToken(db: Database, organizationId: string, tokenId: string, madeBy?: string): Promise<boolean> {
  const rows = await db
    .update(managementTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(managementTokens.id, tokenId),
        eq(managementTokens.userId, organizationId),
        madeBy ? eq(managementTokens.createdBy, madeBy) : undefined,
        isNull(managementTokens.revokedAt),
      ),
    )
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
