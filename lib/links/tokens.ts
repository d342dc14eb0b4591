import 'server-only';
import { and, count, eq, isNull } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { linkTokens, type LinkTokenRow } from '@/db/schema';
import { ApiError } from '@/lib/errors';
import { assertCan, type Actor } from '@/lib/orgs/actor';
import { recordAudit } from '@/lib/orgs/audit';
import { generateSecret, randomId } from '@/lib/keys/secret';
import { forgetLinkToken, publishLinkToken, retireLinkToken } from './cache';
import { linkNotFound, linkTokenNotFound } from './errors';
import { findLiveLink, listActiveLinkTokens, lockLiveLink } from '@/db/queries/links';

/**
 * A link's access tokens. Several may be active at once so a token can be rotated without
 * downtime: create the new one, ship it, then revoke the old one. Revocation is immediate on
 * this instance and within a second everywhere (lib/links/cache.ts).
 */

/** Enough for rotation and a few separate apps; a typo guard against scripts minting in loops. */
export const MAX_ACTIVE_TOKENS = 25;

export interface LinkTokenWithSecret {
  token: LinkTokenRow;
  /** The only time the plaintext exists. */
  secret: string;
}

/** Inserts a token inside the caller's transaction; publish it after the commit. */
export async function insertLinkToken(tx: Database, linkId: string, name: string): Promise<LinkTokenWithSecret> {
  const secret = await generateSecret('linkToken');
  const [token] = await tx
    .insert(linkTokens)
    .values({ id: randomId('ltk'), linkId, name, hash: secret.hash, start: secret.start })
    .returning();
  return { token: token!, secret: secret.plaintext };
}

export const publishToken = (token: LinkTokenRow) => publishLinkToken({ linkId: token.linkId, tokenId: token.id, hash: token.hash });

export async function createLinkToken(actor: Actor, linkId: string, name: string): Promise<LinkTokenWithSecret> {
  assertCan(actor, 'links.manage');
  const db = await getDb();
  const created = await db.transaction(async (tx) => {
    // The lock makes the count below exact under concurrent creates.
    if (!(await lockLiveLink(tx, actor.accountId, linkId))) throw linkNotFound(linkId);
    const [active] = await tx
      .select({ n: count() })
      .from(linkTokens)
      .where(and(eq(linkTokens.linkId, linkId), isNull(linkTokens.revokedAt)));
    if ((active?.n ?? 0) >= MAX_ACTIVE_TOKENS) {
      throw new ApiError(409, 'too_many_tokens', `A link can have at most ${MAX_ACTIVE_TOKENS} active access tokens; revoke one first.`);
    }
    const created = await insertLinkToken(tx, linkId, name);
    await recordAudit(tx, actor, 'link.token_created', `link:${linkId}`, { token: created.token.id, name });
    return created;
  });
  await publishToken(created.token);
  return created;
}

export async function listLinkTokens(accountId: string, linkId: string): Promise<LinkTokenRow[]> {
  const db = await getDb();
  if (!(await findLiveLink(db, accountId, linkId))) throw linkNotFound(linkId);
  return listActiveLinkTokens(db, linkId);
}

export async function revokeLinkToken(actor: Actor, linkId: string, tokenId: string): Promise<void> {
  assertCan(actor, 'links.manage');
  const db = await getDb();
  const hash = await db.transaction(async (tx) => {
    if (!(await lockLiveLink(tx, actor.accountId, linkId))) throw linkNotFound(linkId);
    const [token] = await tx
      .select()
      .from(linkTokens)
      .where(and(eq(linkTokens.id, tokenId), eq(linkTokens.linkId, linkId), isNull(linkTokens.revokedAt)));
    if (!token) throw linkTokenNotFound(tokenId);
    // Cleared before the commit: if Redis is unreachable the revocation is refused rather than
    // saved while the proxy keeps accepting the token.
    await forgetLinkToken(token.hash);
    await tx.update(linkTokens).set({ revokedAt: new Date() }).where(eq(linkTokens.id, tokenId));
    await recordAudit(tx, actor, 'link.token_revoked', `link:${linkId}`, { token: tokenId });
    return token.hash;
  });
  await retireLinkToken(hash);
}
