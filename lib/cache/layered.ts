import 'server-only';
import { LRUCache } from 'lru-cache';
import { getRedis } from '@/lib/redis/client';

/**
 * How the hot paths find a record that PostgreSQL owns (an API key by hash, a link by id, a
 * link token by hash), in three layers:
 *   1. this process's memory, for at most LOCAL_TTL_MS;
 *   2. Redis (`<prefix>:<id>`), written through by every change;
 *   3. PostgreSQL, only on a Redis miss, which then fills Redis with SET NX (so it never
 *      overwrites a newer write-through).
 * A change therefore reaches every instance within LOCAL_TTL_MS (the README's "within 2
 * seconds"), and the steady state never touches the database. "Not found" is cached too, so
 * made-up ids and secrets cannot hammer the database.
 */
export const LOCAL_TTL_MS = 1_000;
const REDIS_TTL_SECONDS = 7 * 24 * 3600;
/**
 * "Not found" lives shorter in Redis: anyone can ask for made-up ids, and each would otherwise
 * sit there for a week. Safe, because PostgreSQL stays the truth once an entry expires.
 */
const MISSING_TTL_SECONDS = 10 * 60;
const ttl = (value: unknown) => (value === null ? MISSING_TTL_SECONDS : REDIS_TTL_SECONDS);

/** `{ value: null }` ("known not to exist") must differ from a Redis miss, hence the wrapper. */
interface Entry<T> {
  value: T | null;
}

/**
 * One in-memory cache per prefix per process, kept on globalThis: the production entry runs
 * the dashboard (Next's bundle) and the hot paths (esbuild's bundle) in one process, each with
 * its own copy of this module, and a change made through one must clear what the other holds.
 */
type LocalCaches = Map<string, LRUCache<string, Entry<object>>>;
const caches: LocalCaches = ((globalThis as Record<symbol, LocalCaches>)[Symbol.for('conduit.layered-cache')] ??= new Map());

function localCache<T extends object>(prefix: string): LRUCache<string, Entry<T>> {
  let cache = caches.get(prefix);
  if (!cache) {
    cache = new LRUCache<string, Entry<object>>({ max: 50_000, ttl: LOCAL_TTL_MS });
    caches.set(prefix, cache);
  }
  // One prefix always holds one record type: the cast only restores what the map erased.
  return cache as unknown as LRUCache<string, Entry<T>>;
}

export interface Layered<T> {
  lookup(id: string): Promise<T | null>;
  /** Before a change commits: a failure here aborts the change rather than leaving Redis stale. */
  forget(id: string): Promise<void>;
  /** After a change commits; never over a tombstone (see PUBLISH). */
  publish(id: string, value: T): Promise<void>;
  /** Remembered as gone (deleted, revoked, regenerated away), so lookups stop at Redis. */
  retire(id: string): Promise<void>;
}

/** How a retired entry (`{ value: null }`) is stored: the JSON the client writes for it. */
const TOMBSTONE = JSON.stringify({ value: null } satisfies Entry<object>);

/**
 * A publish never overwrites a tombstone. Every change publishes after its commit, so a change
 * that committed just before a deletion (of the key, the link, the whole account) can publish
 * after the deletion retired the id; unconditionally, it would bring a deleted record back to
 * life in Redis for a week. Nothing retired ever comes back (deleted keys, links and accounts
 * stay deleted, revoked tokens revoked, regenerated hashes unused), so refusing is always right.
 * KEYS 1 entry · ARGV 1 entry JSON · 2 ttl s · 3 the tombstone's JSON. Returns 1 if written.
 */
const PUBLISH = `
if redis.call('GET', KEYS[1]) == ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
`;

export function layered<T extends object>(prefix: string, load: (id: string) => Promise<T | null>): Layered<T> {
  const local = localCache<T>(prefix);
  const redisKey = (id: string) => `${prefix}:${id}`;
  const write = async (id: string, value: T | null) => {
    await getRedis().set(redisKey(id), { value } satisfies Entry<T>, { ex: ttl(value) });
    local.delete(id);
  };
  const publish = async (id: string, value: T) => {
    await getRedis().eval(PUBLISH, [redisKey(id)], [JSON.stringify({ value } satisfies Entry<T>), ttl(value), TOMBSTONE]);
    local.delete(id);
  };
  return {
    async lookup(id) {
      const hit = local.get(id);
      if (hit) return hit.value;
      const redis = getRedis();
      let entry = await redis.get<Entry<T>>(redisKey(id));
      if (!entry || !('value' in entry)) {
        entry = { value: await load(id) };
        await redis.set(redisKey(id), entry, { nx: true, ex: ttl(entry.value) });
      }
      local.set(id, entry);
      return entry.value;
    },
    async forget(id) {
      await getRedis().del(redisKey(id));
      local.delete(id);
    },
    publish,
    retire: (id) => write(id, null),
  };
}
