// How many server processes `npm start` runs (start.mjs). Plain JavaScript: the primary decides
// before it loads anything of the app.
import { availableParallelism } from 'node:os';

/**
 * Processes can share PostgreSQL and a Redis server (or Upstash, or a Redis Cluster), not the
 * embedded database (PGlite holds a lock on its folder) nor the in-process store (each process
 * would count limits of its own). So: one per core when both are shared, else one.
 */
function sharedServices(env) {
  const redis = Boolean(env.REDIS_URL || env.UPSTASH_REDIS_REST_URL || env.REDIS_CLUSTER_URLS);
  return Boolean(env.DATABASE_URL) && redis;
}

/** → { ok: true, count } or { ok: false, message } naming what to change. */
export function workerCount(env, cores = availableParallelism()) {
  const shared = sharedServices(env);
  const raw = env.WEB_CONCURRENCY?.trim();
  if (!raw) return { ok: true, count: shared ? cores : 1 };
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1024) {
    return { ok: false, message: `WEB_CONCURRENCY must be a whole number of processes from 1 to 1024 (got ${JSON.stringify(raw)}).` };
  }
  const count = Number(raw);
  if (count > 1 && !shared) {
    return {
      ok: false,
      message:
        `WEB_CONCURRENCY=${count} needs DATABASE_URL and a shared Redis (REDIS_URL, UPSTASH_REDIS_REST_URL or REDIS_CLUSTER_URLS): ` +
        'the embedded database and store belong to one process. Unset it, or set it to 1.',
    };
  }
  return { ok: true, count };
}
