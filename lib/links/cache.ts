import 'server-only';
import { LRUCache } from 'lru-cache';
import { getDb } from '@/db';
import { getRedis } from '@/lib/redis/client';
import { isLinkId } from './ids';
import { findActiveLinkTokenByHash, findLiveLinkById } from './queries';
import { toLinkRecord, type LinkRecord } from './record';

/**
 * Where the proxy finds a link (by id) and an access token (by hash), in the same three layers
 * as API keys (lib/keys/cache.ts):
 *   1. this process's memory, for at most LOCAL_TTL_MS;
 *   2. Redis (`conduit:link:<id>`, `conduit:link-token:<hash>`), written through by every change;
 *   3. PostgreSQL, only on a Redis miss, which then fills Redis with SET NX (never overwriting a
 *      newer write-through).
 * A change reaches every instance within LOCAL_TTL_MS; the steady state never touches the
 * database. "Not found" is cached too, so random ids and tokens cannot hammer the database.
 */
export const LOCAL_TTL_MS = 1_000;
const REDIS_TTL_SECONDS = 7 * 24 * 3600;
/**
 * "Not found" entries live shorter: anyone can ask for made-up ids, and each would otherwise sit
 * in Redis for a week. Safe, because PostgreSQL stays the truth: once one expires, the next
 * lookup reads the deleted link or revoked token from the database and caches "gone" again.
 */
const MISSING_TTL_SECONDS = 10 * 60;
const ttl = (value: unknown) => (value === null ? MISSING_TTL_SECONDS : REDIS_TTL_SECONDS);

export interface LinkTokenEntry {
  linkId: string;
  tokenId: string;
  /** Kept so the caller can compare it with the presented token's hash in constant time. */
  hash: string;
}

/** `{ value: null }` ("known not to exist") must differ from a Redis miss, hence the wrapper. */
interface Entry<T> {
  value: T | null;
}

function layered<T extends object>(prefix: string, load: (id: string) => Promise<T | null>) {
  const local = new LRUCache<string, Entry<T>>({ max: 50_000, ttl: LOCAL_TTL_MS });
  const redisKey = (id: string) => `${prefix}:${id}`;
  const write = async (id: string, value: T | null) => {
    await getRedis().set(redisKey(id), { value } satisfies Entry<T>, { ex: ttl(value) });
    local.delete(id);
  };
  return {
    async lookup(id: string): Promise<T | null> {
      const hit = local.get(id);
      if (hit) return hit.value;
      const redis = getRedis();
      let entry = await redis.get<Entry<T>>(redisKey(id));
      if (!entry) {
        entry = { value: await load(id) };
        await redis.set(redisKey(id), entry, { nx: true, ex: ttl(entry.value) });
      }
      local.set(id, entry);
      return entry.value;
    },
    /** Before a change commits: a failure here aborts the change rather than leaving Redis stale. */
    async forget(id: string): Promise<void> {
      await getRedis().del(redisKey(id));
      local.delete(id);
    },
    publish: (id: string, value: T) => write(id, value),
    /** Remembered as gone, so lookups stop at Redis. */
    retire: (id: string) => write(id, null),
  };
}

const linkLayer = layered<LinkRecord>('conduit:link', async (linkId) => {
  const row = await findLiveLinkById(await getDb(), linkId);
  return row ? toLinkRecord(row) : null;
});

const tokenLayer = layered<LinkTokenEntry>('conduit:link-token', async (hash) => {
  return (await findActiveLinkTokenByHash(await getDb(), hash)) ?? null;
});

/** The live link with this id (enabled or not), or null. Malformed ids never reach Redis. */
export const lookupLink = async (linkId: string): Promise<LinkRecord | null> => (isLinkId(linkId) ? linkLayer.lookup(linkId) : null);

/** The active token with this SHA-256 hash (hex), on a live link, or null. */
export const lookupLinkToken = async (hash: string): Promise<LinkTokenEntry | null> =>
  /^[0-9a-f]{64}$/.test(hash) ? tokenLayer.lookup(hash) : null;

export const forgetLink = (linkId: string) => linkLayer.forget(linkId);
export const publishLink = (record: LinkRecord) => linkLayer.publish(record.id, record);
export const retireLink = (linkId: string) => linkLayer.retire(linkId);

export const forgetLinkToken = (hash: string) => tokenLayer.forget(hash);
export const publishLinkToken = (entry: LinkTokenEntry) => tokenLayer.publish(entry.hash, entry);
export const retireLinkToken = (hash: string) => tokenLayer.retire(hash);
