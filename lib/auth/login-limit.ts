import 'server-only';
import { Ratelimit } from '@upstash/ratelimit';
import { getRedis } from '@/lib/redis/client';
import { rateLimitId } from '@/lib/redis/key-slot';
import { limitingAddress } from '@/lib/net/ip';

/**
 * Login attempts are limited twice: per email (stops guessing one account's password from
 * many addresses) and per client IP (stops one address spraying many accounts). Every attempt
 * counts, successful or not, so the limiter needs no state beyond the window itself.
 */
const WINDOW = '15 m';
const WINDOW_MS = 15 * 60_000;
const EMAIL_PREFIX = 'conduit:login:email';
export const LOGIN_LIMITS = { perEmail: 10, perIp: 50 } as const;

let limiters: { email: Ratelimit; ip: Ratelimit } | undefined;

function getLimiters() {
  limiters ??= {
    email: new Ratelimit({
      redis: getRedis(),
      limiter: Ratelimit.slidingWindow(LOGIN_LIMITS.perEmail, WINDOW),
      prefix: EMAIL_PREFIX,
      // No in-process memory of blocked emails: a password reset lifts the lockout
      // (clearLoginLimit) in Redis, and every process must see that at once.
      ephemeralCache: false,
    }),
    ip: new Ratelimit({
      redis: getRedis(),
      limiter: Ratelimit.slidingWindow(LOGIN_LIMITS.perIp, WINDOW),
      prefix: 'conduit:login:ip',
    }),
  };
  return limiters;
}

export type LoginLimit = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts one attempt against both limits; refused when either is used up. */
export async function checkLoginLimit(email: string, ip: string | undefined): Promise<LoginLimit> {
  const { email: byEmail, ip: byIp } = getLimiters();
  const [emailResult, ipResult] = await Promise.all([
    byEmail.limit(rateLimitId(email)),
    // An IPv6 client is counted by its /64 (lib/net/ip.ts): it could pick a fresh address per attempt.
    ip ? byIp.limit(rateLimitId(limitingAddress(ip))) : Promise.resolve({ success: true, reset: 0 }),
  ]);
  if (emailResult.success && ipResult.success) return { allowed: true };
  const reset = Math.max(emailResult.success ? 0 : emailResult.reset, ipResult.success ? 0 : ipResult.reset);
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((reset - Date.now()) / 1000)) };
}

/**
 * Lifts an account's lockout (a password reset proved its owner): deletes the per-email counters
 * of the current and previous window — the two the sliding window reads (`<prefix>:<id>:<window>`).
 * The per-IP limit stays: it limits the address that guessed, not the account.
 */
export async function clearLoginLimit(email: string, now = Date.now()): Promise<void> {
  const key = `${EMAIL_PREFIX}:${rateLimitId(email)}`;
  const window = Math.floor(now / WINDOW_MS);
  await getRedis().del(`${key}:${window}`, `${key}:${window - 1}`);
}
