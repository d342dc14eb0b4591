import 'server-only';
import { timingSafeEqual } from 'node:crypto';
import { getDb } from '@/db';
import { touchKeyLastUsed } from '@/db/queries/keys';
import { getRedis } from '@/lib/redis/client';
import { lookupKey } from './cache';
import type { KeyRecord } from './record';
import { hashSecret, looksLike } from './secret';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'keys' });

/**
 * The gateway's one question about a key: given the plaintext from `Authorization: Bearer`,
 * what is its status, and what may it do? A status, not an exception (STYLE.md §6); the
 * gateway maps statuses to HTTP in one table.
 */
export type KeyStatus = 'VALID' | 'NOT_FOUND' | 'DISABLED' | 'EXPIRED';

export type KeyVerification = { status: 'VALID'; key: KeyRecord } | { status: Exclude<KeyStatus, 'VALID'>; key?: KeyRecord };

export async function verifyKey(plaintext: string | null | undefined, now = Date.now()): Promise<KeyVerification> {
  if (!plaintext || !looksLike('apiKey', plaintext)) return { status: 'NOT_FOUND' };
  const hash = await hashSecret(plaintext);
  const key = await lookupKey(hash);
  // The lookup is by hash; comparing the full hashes again in constant time costs nothing and
  // keeps any cache or index quirk from ever matching a different secret.
  if (!key || !timingSafeEqual(Buffer.from(key.hash, 'hex'), Buffer.from(hash, 'hex'))) return { status: 'NOT_FOUND' };
  if (!key.enabled) return { status: 'DISABLED', key };
  if (key.expiresAt !== null && key.expiresAt <= now) return { status: 'EXPIRED', key };
  noteKeyUsed(key.id, now);
  return { status: 'VALID', key };
}

/**
 * "Last used" is written at most once a minute per key across all instances: a local throttle,
 * then a Redis SET NX that only one instance wins. Off the response path; failures are logged.
 */
const LAST_USED_INTERVAL_MS = 60_000;
const lastNoted = new Map<string, number>();

function noteKeyUsed(keyId: string, now: number): void {
  if (now - (lastNoted.get(keyId) ?? 0) < LAST_USED_INTERVAL_MS) return;
  lastNoted.set(keyId, now);
  void (async () => {
    const won = await getRedis().set(`conduit:key-used:${keyId}`, now, { nx: true, px: LAST_USED_INTERVAL_MS });
    if (won) await touchKeyLastUsed(await getDb(), keyId, new Date(now));
  })().catch((error: unknown) => log.error({ err: error, keyId }, 'could not record last use'));
}
