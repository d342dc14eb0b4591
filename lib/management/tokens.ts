import 'server-only';
import { z } from 'zod';
import { getDb } from '@/db';
import {
  findActiveTokenByHash,
  listActiveTokens,
  revokeToken as revokeTokenRow,
  touchTokenLastUsed,
} from '@/db/queries/management-tokens';
import { managementTokens, type ManagementTokenRow } from '@/db/schema';
import { ApiError } from '@/lib/errors';
import type { Actor } from '@/lib/keys/service';
import { generateSecret, hashSecret, looksLike, randomId } from '@/lib/keys/secret';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'management' });

/**
 * Management tokens authenticate programs calling /api/v1/* on behalf of one account. Shown
 * once, stored hashed, revocable on the settings page. Not the hot path: one indexed lookup.
 */

export const tokenNameSchema = z.string().trim().min(1, 'Give the token a name').max(100, 'Names are at most 100 characters');

export async function createToken(userId: string, name: string): Promise<{ token: ManagementTokenRow; secret: string }> {
  const secret = await generateSecret('managementToken');
  const db = await getDb();
  const [token] = await db
    .insert(managementTokens)
    .values({ id: randomId('mt'), userId, name: tokenNameSchema.parse(name), hash: secret.hash, start: secret.start })
    .returning();
  return { token: token!, secret: secret.plaintext };
}

export async function listTokens(userId: string): Promise<ManagementTokenRow[]> {
  return listActiveTokens(await getDb(), userId);
}

export async function revokeToken(userId: string, tokenId: string): Promise<boolean> {
  return revokeTokenRow(await getDb(), userId, tokenId);
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
  if (!token) throw unauthorized('Invalid management token.');
  void touchTokenLastUsed(db, token.id, new Date()).catch((error: unknown) => log.error({ err: error, tokenId: token.id }, 'could not record last use'));
  return { userId: token.userId, tokenId: token.id };
}
