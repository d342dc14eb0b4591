import 'server-only';
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../open';
import { links, linkTokens, type LinkRow, type LinkTokenRow } from '../schema';

/** The link tables' queries (links, link_tokens): what lib/links/ reads and locks. */

/** Links of one account that are not deleted, newest first. */
export function listLiveLinks(db: Database, userId: string): Promise<LinkRow[]> {
  return db
    .select()
    .from(links)
    .where(and(eq(links.userId, userId), isNull(links.deletedAt)))
    .orderBy(desc(links.createdAt));
}

/** A live link of this account; another account's link is simply not found. */
export async function findLiveLink(db: Database, userId: string, linkId: string): Promise<LinkRow | undefined> {
  const [row] = await db
    .select()
    .from(links)
    .where(and(eq(links.id, linkId), eq(links.userId, userId), isNull(links.deletedAt)))
    .limit(1);
  return row;
}

/** The proxy's database fallback: any account's live link by id. */
export async function findLiveLinkById(db: Database, linkId: string): Promise<LinkRow | undefined> {
  const [row] = await db
    .select()
    .from(links)
    .where(and(eq(links.id, linkId), isNull(links.deletedAt)))
    .limit(1);
  return row;
}

/** Tokens that still work, oldest first (the order they were issued in). */
export function listActiveLinkTokens(db: Database, linkId: string): Promise<LinkTokenRow[]> {
  return db
    .select()
    .from(linkTokens)
    .where(and(eq(linkTokens.linkId, linkId), isNull(linkTokens.revokedAt)))
    .orderBy(asc(linkTokens.createdAt));
}

/** The active token with this hash, on a live link (the proxy's database fallback). */
export async function findActiveLinkTokenByHash(db: Database, hash: string) {
  const [row] = await db
    .select({ tokenId: linkTokens.id, linkId: linkTokens.linkId, hash: linkTokens.hash })
    .from(linkTokens)
    .innerJoin(links, eq(links.id, linkTokens.linkId))
    .where(and(eq(linkTokens.hash, hash), isNull(linkTokens.revokedAt), isNull(links.deletedAt)))
    .limit(1);
  return row;
}

export async function touchLinkTokenLastUsed(db: Database, tokenId: string, at: Date): Promise<void> {
  await db.update(linkTokens).set({ lastUsedAt: at }).where(eq(linkTokens.id, tokenId));
}

/** Locks a live link of this account for the rest of the transaction (serialises its changes). */
export async function lockLiveLink(db: Database, userId: string, linkId: string): Promise<LinkRow | undefined> {
  const [row] = await db
    .select()
    .from(links)
    .where(and(eq(links.id, linkId), eq(links.userId, userId), isNull(links.deletedAt)))
    .for('update');
  return row;
}
