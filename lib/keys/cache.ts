import 'server-only';
import { LRUCache } from 'lru-cache';
import { getDb } from '@/db';
import { findLiveKeyByHash } from '@/db/queries/keys';
import { getRedis } from '@/lib/redis/client';
import { toKeyRecord, type KeyRecord } from './record';

/**
 * Where the gateway finds a key by its hash, in three layers:
 *   1. this process's memory, for at most LOCAL_TTL_MS;
 *   2. Redis (`conduit:key:<hash>`), written through by every change to a key;
 *   3. PostgreSQL, only on a Redis miss, which then fills Redis (SET NX, so it never
 *      overwrites a newer write-through).
 * So a change reaches every instance within LOCAL_TTL_MS of being saved (the README's
 * "changes take effect within 2 seconds"), and the steady state never touches the database.
 */
export const LOCAL_TTL_MS = 1_000;
const REDIS_TTL_SECONDS = 7 * 24 * 3600;
const redisKey = (hash: string) => `conduit:key:${hash}`;

/**
 * Entries are wrapped so that `{ key: null }` ("no such key", cached too, so random keys cannot
 * hammer the database) differs from a Redis miss.
 */
interface Entry {
  key: KeyRecord | null;
}
const local = new LRUCache<string, Entry>({ max: 50_000, ttl: LOCAL_TTL_MS });

export async function lookupKey(hash: string): Promise<KeyRecord | null> {
  const hit = local.get(hash);
  if (hit) return hit.key;
  const redis = getRedis();
  let entry = await redis.get<Entry>(redisKey(hash));
  if (!entry) {
    const row = await findLiveKeyByHash(await getDb(), hash);
    entry = { key: row ? toKeyRecord(row) : null };
    await redis.set(redisKey(hash), entry, { nx: true, ex: REDIS_TTL_SECONDS });
  }
  local.set(hash, entry);
  return entry.key;
}

/** Called before a change is committed: a failure here aborts the change. */
export async function forgetKey(hash: string): Promise<void> {
  await getRedis().del(redisKey(hash));
  local.delete(hash);
}

/** Called after a change is committed: every instance sees it within LOCAL_TTL_MS. */
export async function publishKey(record: KeyRecord): Promise<void> {
  await getRedis().set(redisKey(record.hash), { key: record } satisfies Entry, { ex: REDIS_TTL_SECONDS });
  local.delete(record.hash);
}

/** A deleted or regenerated secret: remembered as unknown so lookups stop at Redis. */
export async function retireHash(hash: string): Promise<void> {
  await getRedis().set(redisKey(hash), { key: null } satisfies Entry, { ex: REDIS_TTL_SECONDS });
  local.delete(hash);
}
