import 'server-only';
import { Ratelimit } from '@upstash/ratelimit';
import { limitingAddress } from '@/lib/net/ip';
import { getRedis } from '@/lib/redis/client';
import { rateLimitId } from '@/lib/redis/key-slot';

/**
 * How often Conduit sends mail on someone's request, limited as logins are (login-limit.ts):
 *
 * - password resets per address: a person needs one or two; more would let anyone flood a
 *   stranger's mailbox. Counted for unknown addresses too, so the answer says nothing about
 *   which addresses have accounts.
 * - password resets per client IP (an IPv6 client's /64): one address asking for many accounts.
 * - mail per account (verification resends, email changes): a signed-in person clicking "resend".
 * - invitations per organization: a team invites a handful at a time; a compromised or careless
 *   admin must not turn Conduit into a mailer to strangers.
 */
export const EMAIL_LIMITS = {
  resetPerEmail: { requests: 5, window: '1 h' },
  resetPerIp: { requests: 20, window: '1 h' },
  perAccount: { requests: 5, window: '1 h' },
  invitesPerOrganization: { requests: 20, window: '1 h' },
} as const;

export type MailLimit = { allowed: true } | { allowed: false; retryAfterSeconds: number };

let limiters: Record<keyof typeof EMAIL_LIMITS, Ratelimit> | undefined;

function getLimiters() {
  const make = (name: keyof typeof EMAIL_LIMITS) =>
    new Ratelimit({
      redis: getRedis(),
      limiter: Ratelimit.slidingWindow(EMAIL_LIMITS[name].requests, EMAIL_LIMITS[name].window),
      prefix: `conduit:mail:${name}`,
    });
  limiters ??= {
    resetPerEmail: make('resetPerEmail'),
    resetPerIp: make('resetPerIp'),
    perAccount: make('perAccount'),
    invitesPerOrganization: make('invitesPerOrganization'),
  };
  return limiters;
}

function verdict(results: { success: boolean; reset: number }[]): MailLimit {
  if (results.every((result) => result.success)) return { allowed: true };
  const reset = Math.max(...results.filter((result) => !result.success).map((result) => result.reset));
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((reset - Date.now()) / 1000)) };
}

/** Counts one reset request against its address and its client; refused when either is used up. */
export async function checkResetLimit(email: string, ip: string | undefined): Promise<MailLimit> {
  const { resetPerEmail, resetPerIp } = getLimiters();
  return verdict(
    await Promise.all([
      resetPerEmail.limit(rateLimitId(email)),
      ip ? resetPerIp.limit(rateLimitId(limitingAddress(ip))) : Promise.resolve({ success: true, reset: 0 }),
    ]),
  );
}

/** Counts one message a signed-in account asked for. */
export async function checkAccountMailLimit(userId: string): Promise<MailLimit> {
  return verdict([await getLimiters().perAccount.limit(rateLimitId(userId))]);
}

/** Counts one invitation an organization sends. */
export async function checkInvitationLimit(organizationId: string): Promise<MailLimit> {
  return verdict([await getLimiters().invitesPerOrganization.limit(rateLimitId(organizationId))]);
}

/** "in 12 minutes" / "in 40 seconds", for the forms. */
export function retryIn(seconds: number): string {
  return seconds >= 90 ? `in ${Math.ceil(seconds / 60)} minutes` : `in ${seconds} seconds`;
}
