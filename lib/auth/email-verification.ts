import 'server-only';
import { getDb } from '@/db';
import { markEmailVerified } from '@/db/queries/users';
import type { User } from '@/db/schema';
import { verifyEmailMail } from '@/lib/email/messages';
import { emailLink } from '@/lib/email/origin';
import { queueMail } from '@/lib/email/send';
import { ApiError } from '@/lib/errors';
import { checkAccountMailLimit, type MailLimit } from './email-limits';
import { consumeEmailToken, issueEmailToken } from './email-tokens';

/**
 * Email verification. An account works from sign-up on; the dashboard asks to verify (banner,
 * with "resend"), and what reaches other people or money — buying credit, and later inviting
 * members — needs a verified address: requireVerifiedEmail.
 */

export const VERIFY_PATH = '/verify-email';

/** Sends the verification link for the account's current address. */
export async function sendVerificationEmail(user: Pick<User, 'id' | 'email'>, origin: string): Promise<void> {
  const token = await issueEmailToken(user.id, 'verify_email', user.email);
  queueMail('verify_email', verifyEmailMail(user.email, emailLink(origin, VERIFY_PATH, token)));
}

export type ResendResult = { ok: true } | { ok: false; reason: 'already_verified' } | ({ ok: false; reason: 'rate_limited' } & Extract<MailLimit, { allowed: false }>);

/** "Resend" on the banner: limited per account (email-limits.ts). */
export async function resendVerificationEmail(user: User, origin: string): Promise<ResendResult> {
  if (user.emailVerified) return { ok: false, reason: 'already_verified' };
  const limit = await checkAccountMailLimit(user.id);
  if (!limit.allowed) return { ok: false, reason: 'rate_limited', allowed: false, retryAfterSeconds: limit.retryAfterSeconds };
  await sendVerificationEmail(user, origin);
  return { ok: true };
}

/**
 * Uses a verification link: the address it was sent to is verified, if it is still the account's
 * (a link to an address the account has since left verifies nothing).
 */
export async function verifyEmail(token: unknown): Promise<{ ok: boolean }> {
  const used = await consumeEmailToken(token, 'verify_email');
  if (!used) return { ok: false };
  return { ok: await markEmailVerified(await getDb(), used.userId, used.email) };
}

/** What an unverified account is refused with: a typed 403 the forms show as it is. */
export class EmailNotVerifiedError extends ApiError {
  constructor(action: string) {
    super(403, 'email_not_verified', `Verify your email address before ${action}: use the link we sent you, or "Resend" on the banner above.`);
  }
}

/** Throws EmailNotVerifiedError unless the account's address is verified. */
export function requireVerifiedEmail(user: Pick<User, 'emailVerified'>, action = 'doing this'): void {
  if (!user.emailVerified) throw new EmailNotVerifiedError(action);
}
