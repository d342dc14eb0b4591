import 'server-only';
import { Ratelimit } from '@upstash/ratelimit';
import { ApiError } from '@/lib/errors';
import { limitingAddress } from '@/lib/net/ip';
import { getRedis } from '@/lib/redis/client';
import { rateLimitId } from '@/lib/redis/key-slot';

/**
 * Limits of the management API (/api/v1/*), as lib/auth/login-limit.ts limits logins:
 *
 * - per token: a script managing keys and links makes a handful of calls per change; 120 a
 *   minute (two a second, sustained) is far above that and still keeps one runaway loop from
 *   hammering the database. Per token rather than per account, so one program's loop does not
 *   lock out another program of the same account.
 * - failed attempts per client IP (missing, malformed, wrong or revoked token): an honest client
 *   fails once and is fixed; 20 in 15 minutes is somebody guessing or a broken deployment
 *   retrying. Once used up, every request from that address is refused — a valid token too,
 *   since answering it would tell a guesser they found one — until the window moves on.
 */
export const MANAGEMENT_LIMITS = {
  perToken: { requests: 120, window: '1 m' },
  failedPerIp: { requests: 20, window: '15 m' },
} as const;

let limiters: { token: Ratelimit; failedIp: Ratelimit } | undefined;

function getLimiters() {
  limiters ??= {
    token: new Ratelimit({
      redis: getRedis(),
      limiter: Ratelimit.slidingWindow(MANAGEMENT_LIMITS.perToken.requests, MANAGEMENT_LIMITS.perToken.window),
      prefix: 'conduit:management:token',
    }),
    failedIp: new Ratelimit({
      redis: getRedis(),
      limiter: Ratelimit.slidingWindow(MANAGEMENT_LIMITS.failedPerIp.requests, MANAGEMENT_LIMITS.failedPerIp.window),
      prefix: 'conduit:management:failed-ip',
    }),
  };
  return limiters;
}

const secondsUntil = (reset: number) => Math.max(1, Math.ceil((reset - Date.now()) / 1000));

function tooMany(code: string, message: string, reset: number): ApiError {
  return new ApiError(429, code, message, { headers: { 'retry-after': String(secondsUntil(reset)) } });
}

const blocked = (reset: number) =>
  tooMany(
    'too_many_failed_attempts',
    `Too many requests with a missing or invalid management token from this address (${MANAGEMENT_LIMITS.failedPerIp.requests} per 15 minutes). Try again later.`,
    reset,
  );

/** Refuses (429) a client address that used up its failed attempts, before any database work; counts nothing. */
export async function refuseBlockedClient(ip: string | undefined): Promise<void> {
  if (!ip) return;
  const { remaining, reset } = await getLimiters().failedIp.getRemaining(rateLimitId(limitingAddress(ip)));
  if (remaining <= 0) throw blocked(reset);
}

/**
 * Counts one failed attempt against the client's address (an IPv6 client's /64). The count is
 * atomic: of guesses sent in parallel past the pre-check, those beyond the allowance are refused
 * here with 429 rather than answered 401.
 */
export async function countFailedAttempt(ip: string | undefined): Promise<void> {
  if (!ip) return;
  const { success, reset } = await getLimiters().failedIp.limit(rateLimitId(limitingAddress(ip)));
  if (!success) throw blocked(reset);
}

/** Counts one request of an authenticated token; 429 with retry-after past the limit. */
export async function limitToken(tokenId: string): Promise<void> {
  const { success, reset } = await getLimiters().token.limit(rateLimitId(tokenId));
  if (success) return;
  throw tooMany(
    'rate_limit_exceeded',
    `Rate limit of the management API reached: ${MANAGEMENT_LIMITS.perToken.requests} requests per minute per token. Retry after the time in the retry-after header.`,
    reset,
  );
}
