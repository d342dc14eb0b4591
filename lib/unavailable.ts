import 'server-only';
import { env } from '@/lib/env';

/**
 * A dependency Conduit cannot work without — Redis (hot state: keys, limits, spend, the usage
 * queue) or PostgreSQL (the source of truth) — did not answer. Such a failure is the service's,
 * not the request's: every API answers it with 503 and `retry-after` (lib/errors.ts), and a
 * dashboard page says which one is down (app/error.tsx asks /api/ready).
 *
 * Recognised by shape, never by `instanceof`: Next.js and the hot-path bundle each carry their
 * own copy of this module, and the Redis client (shared by both through globalThis) throws
 * whichever copy created it.
 */
export type Dependency = 'redis' | 'database';

const NAME = 'ServiceUnavailableError';

export class ServiceUnavailableError extends Error {
  override name = NAME;

  constructor(
    readonly dependency: Dependency,
    options?: { cause?: unknown },
  ) {
    super(`${dependency === 'redis' ? 'Redis' : 'PostgreSQL'} is unreachable`, options);
  }
}

/** postgres.js's own codes for a connection that could not be opened or was lost. */
const DRIVER_CODES = new Set(['CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);

/** SQLSTATEs of a server going away or refusing connections: 08xxx, admin/crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

/** Socket errors of a connection that could not be opened. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * postgres.js rejects a query it could not connect for with the bare socket error, which looks
 * like any other outgoing connection's (an upstream API's, a webhook's): only one aimed at the
 * database's own port is the database's.
 */
function databasePort(): number | null {
  const url = env().DATABASE_URL;
  if (!url) return null;
  try {
    return Number(new URL(url).port || 5432);
  } catch {
    return null;
  }
}

/**
 * Redis' own answers that mean it cannot serve right now rather than that the command was wrong:
 * out of memory (what `maxmemory-policy noeviction` answers when full), a replica or a failover in
 * progress, a failed snapshot, a script or load in progress, a cluster without quorum — and
 * Upstash's request quota. Each reaches a client as 503, like a connection that is down.
 */
const REDIS_OUTAGE_REPLY = /^(?:ERR )?(?:OOM|READONLY|MISCONF|BUSY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b|max (?:daily )?requests? limit exceeded/i;
const REDIS_ERROR_NAMES = new Set(['RedisCommandError', 'ReplyError', 'UpstashError']);

export function isRedisOutageReply(error: Error): boolean {
  return REDIS_ERROR_NAMES.has(error.name) && REDIS_OUTAGE_REPLY.test(error.message);
}

/** Which dependency `error` (or an error in its `cause` chain: drizzle wraps the driver's) says is down, if any. */
export function unavailableDependency(error: unknown): Dependency | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current.name === NAME) return (current as ServiceUnavailableError).dependency;
    if (isRedisOutageReply(current)) return 'redis';
    const { code, port } = current as { code?: unknown; port?: unknown };
    if (typeof code !== 'string') continue;
    if (DRIVER_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return 'database';
    if (SOCKET_CODES.has(code) && port !== undefined && Number(port) === databasePort()) return 'database';
  }
  return null;
}

/** How a person is told which part is down, mid-sentence. */
export function describeDependency(dependency: Dependency): string {
  return dependency === 'redis' ? 'its store of keys, limits and spend (Redis)' : 'its database (PostgreSQL)';
}
