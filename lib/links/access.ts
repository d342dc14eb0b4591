import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { getDb } from '@/db';
import { getRedis } from '@/lib/redis/client';
import { hashSecret, looksLike } from '@/lib/keys/secret';
import { lookupLinkToken } from './cache';
import { touchLinkTokenLastUsed } from '@/db/queries/links';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'links' });

/**
 * The proxy's question about an access token: does this plaintext open this link? A status,
 * not an exception (STYLE.md §6). Whether the link is enabled, and everything else it allows,
 * comes from lookupLink: this only answers for the token.
 */
export type AccessTokenStatus = 'VALID' | 'NOT_FOUND';

export async function verifyAccessToken(linkId: string, plaintext: string | null | undefined, now = Date.now()): Promise<AccessTokenStatus> {
  // Wrong shapes are refused before hashing or any lookup.
  if (!plaintext || !looksLike('linkToken', plaintext)) return 'NOT_FOUND';
  const hash = await hashSecret(plaintext);
  const token = await lookupLinkToken(hash);
  if (!token) return 'NOT_FOUND';
  // The lookup is by hash; comparing the full hashes again in constant time costs nothing and
  // keeps any cache or index quirk from ever matching a different token.
  if (!timingSafeEqual(Buffer.from(token.hash, 'hex'), Buffer.from(hash, 'hex'))) return 'NOT_FOUND';
  // A token opens its own link only: one leaked from a page must not unlock the user's other links.
  if (token.linkId !== linkId) return 'NOT_FOUND';
  noteTokenUsed(token.tokenId, now);
  return 'VALID';
}

/**
 * "Last used" is written at most once a minute per token across all instances: a local
 * throttle, then a Redis SET NX only one instance wins. Off the response path; failures logged.
 */
const LAST_USED_INTERVAL_MS = 60_000;
const lastNoted = new Map<string, number>();

function noteTokenUsed(tokenId: string, now: number): void {
  if (now - (lastNoted.get(tokenId) ?? 0) < LAST_USED_INTERVAL_MS) return;
  lastNoted.set(tokenId, now);
  void (async () => {
    const won = await getRedis().set(`conduit:link-token-used:${tokenId}`, now, { nx: true, px: LAST_USED_INTERVAL_MS });
    if (won) await touchLinkTokenLastUsed(await getDb(), tokenId, new Date(now));
  })().catch((error: unknown) => log.error({ err: error, tokenId }, 'could not record token use'));
}
