import 'server-only';
import { z } from 'zod';
import { getDb } from '@/db';
import {
  findActiveTokenByHash,
  listActiveTokens,
  revokeToken as revokeTokenRow,
  touchTokenLastUsed,
  type TokenListing,
} from '@/db/queries/management-tokens';
import { managementTokens, type ManagementTokenRow } from '@/db/schema';
import { ApiError } from '@/lib/errors';
import { assertCan, type Actor } from '@/lib/orgs/actor';
import { recordAudit } from '@/lib/orgs/audit';
import { can } from '@/lib/orgs/permissions';
import { generateSecret, hashSecret, looksLike, randomId } from '@/lib/keys/secret';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'management' });

/**
 * Management tokens authenticate programs calling /api/v1/* on behalf of one organization. A
 * token acts as the member who made it, with that member's role at the time of each call (a
 * demoted member's tokens lose what the new role lacks; a removed member's are revoked). Shown
 * once, stored hashed, revocable on the settings page. Not the hot path: one indexed lookup.
 */

export const tokenNameSchema = z.string().trim().min(1, 'Give the token a name').max(100, 'Names are at most 100 characters');

export async function createToken(actor: Actor, name: string): Promise<{ token: ManagementTokenRow; secret: string }> {
  assertCan(actor, 'tokens.manage');
  const secret = await generateSecret('managementToken');
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [token] = await tx
      .insert(managementTokens)
      .values({ id: randomId('mt'), userId: actor.accountId, createdBy: actor.userId, name: tokenNameSchema.parse(name), hash: secret.hash, start: secret.start })
      .returning();
    await recordAudit(tx, actor, 'token.created', `token:${token!.id}`, { name: token!.name });
    return { token: token!, secret: secret.plaintext };
  });
}

/** The organization's live tokens, each with who made it. */
export async function listTokens(accountId: string): Promise<TokenListing[]> {
  return listActiveTokens(await getDb(), accountId);
}

/** A member revokes their own tokens; owners and admins anyone's. False when there was no such live token. */
export async function revokeToken(actor: Actor, tokenId: string): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const onlyMadeBy = can(actor.role, 'members.manage') ? undefined : actor.userId;
    const revoked = await revokeTokenRow(tx, actor.accountId, tokenId, onlyMadeBy);
    if (revoked) await recordAudit(tx, actor, 'token.revoked', `token:${tokenId}`);
    return revoked;
  });
}

const unauthorized = (message: string) => new ApiError(401, 'invalid_management_token', message);

/** The account behind `Authorization: Bearer cmt_…`, or a 401 saying what is wrong. */
export async function authenticateManagementRequest(request: Request): Promise<Actor> {
  const header = request.headers.get('authorization');
  if (!header) throw unauthorized('Missing management token: send `Authorization: Bearer cmt_…`.');
  const [scheme, secret] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== 'bearer' || !secret || !looksLike('managementToken', secret)) {
    throw unauthorized('Invalid management token.');
  }
  const db = await getDb();
  const token = await findActiveTokenByHash(db, await hashSecret(secret));
  // No membership: its maker left the organization (their tokens were revoked with it).
  if (!token?.role) throw unauthorized('Invalid management token.');
  void touchTokenLastUsed(db, token.id, new Date()).catch((error: unknown) => log.error({ err: error, tokenId: token.id }, 'could not record last use'));
  return { accountId: token.userId, userId: token.createdBy, email: token.creatorEmail, role: token.role, tokenId: token.id };
}
