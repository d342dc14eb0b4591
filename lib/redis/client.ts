import 'server-only';
import { Redis, type Requester } from '@upstash/redis';
import { env, type Env } from '@/lib/env';
import { ServiceUnavailableError } from '@/lib/unavailable';
import { createRequester } from './requester';
import { clusterRunner, embeddedRunner, tcpRunner } from './runners';

/**
 * The app's hot-state store. Whatever the backend, callers get the same `Redis` object from
 * @upstash/redis (and can hand it to @upstash/ratelimit):
 * - UPSTASH_REDIS_REST_URL + UPSTASH_REDIS_REST_TOKEN: Upstash over HTTP;
 * - REDIS_URL: a Redis server over TCP, commands run in this process (no HTTP hop);
 * - REDIS_CLUSTER_URLS: a Redis Cluster, the same way (cluster-backend.ts; keys carry hash tags);
 * - nothing: an in-memory store inside this process, for `npm run dev` (not shared between processes,
 *   lost on restart, and not a faithful Redis: see embedded-backend.ts).
 */

export type RedisBackendKind = 'upstash' | 'redis' | 'cluster' | 'embedded';
export type RedisConfig = Partial<
  Pick<Env, 'REDIS_URL' | 'REDIS_CLUSTER_URLS' | 'UPSTASH_REDIS_REST_URL' | 'UPSTASH_REDIS_REST_TOKEN' | 'DEPENDENCY_TIMEOUT_MS'>
>;

export function backendKind(config: RedisConfig): RedisBackendKind {
  if (config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN) return 'upstash';
  if (config.REDIS_CLUSTER_URLS?.length) return 'cluster';
  if (config.REDIS_URL) return 'redis';
  return 'embedded';
}

// On globalThis, as the shared client is (below): Next's bundles and the hot-path bundle each
// have their own copy of this module, and the one that did not create a client must still be able
// to close it (graceful shutdown runs in the hot-path bundle; Next's created the client).
const CLOSERS = Symbol.for('conduit.redis.closers');
const closers: WeakMap<Redis, () => Promise<void>> = ((globalThis as Record<symbol, WeakMap<Redis, () => Promise<void>>>)[CLOSERS] ??= new WeakMap());

/**
 * A new client for explicit settings (tests, scripts). With REDIS_URL (or REDIS_CLUSTER_URLS) it owns TCP connections:
 * release it with `closeRedis`. The embedded store is shared by every client in the process.
 */
export function createRedis(config: RedisConfig): Redis {
  const { REDIS_URL, REDIS_CLUSTER_URLS, UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN, DEPENDENCY_TIMEOUT_MS = 2_000 } = config;
  switch (backendKind(config)) {
    case 'upstash':
      return failingFast(
        new Redis({
          url: UPSTASH_REDIS_REST_URL,
          token: UPSTASH_REDIS_REST_TOKEN,
          // The SDK's default is five retries with exponential backoff (seconds of waiting on the
          // request path); one quick retry of a dropped connection, each try bounded.
          retry: { retries: 1, backoff: () => 20 },
          signal: () => AbortSignal.timeout(DEPENDENCY_TIMEOUT_MS),
        }),
      );
    case 'redis': {
      const runner = tcpRunner(REDIS_URL as string, DEPENDENCY_TIMEOUT_MS);
      const redis = new Redis(createRequester(runner));
      closers.set(redis, () => runner.close());
      return redis;
    }
    case 'cluster': {
      const runner = clusterRunner(REDIS_CLUSTER_URLS ?? [], DEPENDENCY_TIMEOUT_MS);
      const redis = new Redis(createRequester(runner));
      closers.set(redis, () => runner.close());
      return redis;
    }
    case 'embedded':
      return new Redis(createRequester(embeddedRunner()));
  }
}

/**
 * Upstash over HTTP: a request that could not reach Upstash (network error, timeout) becomes a
 * ServiceUnavailableError, as a TCP Redis that is down does (ioredis-backend.ts). Upstash's own
 * error answers (UpstashError) stay what they are. Only the transport's `request` is wrapped (the
 * SDK keeps other state on it); it is the field lib/redis/raw.ts uses too.
 */
function failingFast(redis: Redis): Redis {
  const client = (redis as unknown as { client: Requester }).client;
  const request = client.request.bind(client);
  client.request = ((req) =>
    request(req).catch((error: unknown) => {
      if (error instanceof Error && error.name === 'UpstashError') {
        // The SDK appends the whole command to its message ("…, command was: [...]"): a usage
        // record, an end user's id. Error messages get logged; commands must not be.
        error.message = error.message.replace(/, command was: [\s\S]*$/, '');
        throw error;
      }
      throw new ServiceUnavailableError('redis', { cause: error });
    })) as Requester['request'];
  return redis;
}

/** Closes the TCP connection behind a client from `createRedis`; a no-op for the other backends. */
export async function closeRedis(redis: Redis): Promise<void> {
  const close = closers.get(redis);
  closers.delete(redis);
  await close?.();
}

// One client (and one Redis connection) per process, even when Next.js loads this module in
// several bundles: see runners.ts.
const SHARED = Symbol.for('conduit.redis.client');
const registry = globalThis as typeof globalThis & { [SHARED]?: Redis };

/** The process-wide client, configured from the environment. */
export function getRedis(): Redis {
  return (registry[SHARED] ??= createRedis(env()));
}

/** Closes the process-wide client's connection (graceful shutdown); a later getRedis() makes a new one. */
export async function closeSharedRedis(): Promise<void> {
  const redis = registry[SHARED];
  registry[SHARED] = undefined;
  if (redis) await closeRedis(redis);
}

/** Which backend `getRedis()` uses, e.g. for a health page or a startup log line. */
export function redisBackend(): RedisBackendKind {
  return backendKind(env());
}
