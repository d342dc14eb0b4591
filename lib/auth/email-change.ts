import 'server-only';
import { getDb } from '@/db';
import { changeUserEmail, findUserByEmail, findUserById } from '@/db/queries/users';
import type { User } from '@/db/schema';
import { moveCustomerEmail } from '@/lib/billing/customer';
import { stripeConfigured } from '@/lib/billing/stripe';
import { confirmNewEmailMail, emailChangedMail } from '@/lib/email/messages';
import { emailLink } from '@/lib/email/origin';
import { queueMail } from '@/lib/email/send';
import { checkAccountMailLimit } from './email-limits';
import { consumeEmailToken, forgetEmailTokens, issueEmailToken } from './email-tokens';
import { verifyPassword } from './password';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'accounts' });

/**
 * Changing the account's address: asked in Settings (with the current password, when the account
 * has one), confirmed by a link sent to the new address — so nobody moves an account to an
 * address they do not read, or to someone else's — and the old address is told once it is done,
 * and Stripe's customers that bore it follow (receipts go to the new address).
 */

export const CONFIRM_EMAIL_PATH = '/confirm-email';

export type EmailChangeRequest =
  | { ok: true }
  | { ok: false; reason: 'same_email' | 'wrong_password' | 'taken' }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

export async function requestEmailChange(user: User, input: { newEmail: string; currentPassword: string }, origin: string): Promise<EmailChangeRequest> {
  if (input.newEmail === user.email) return { ok: false, reason: 'same_email' };
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, input.currentPassword))) return { ok: false, reason: 'wrong_password' };
  // Sign-up says the same about a taken address; checked again, race-free, when confirmed.
  if (await findUserByEmail(await getDb(), input.newEmail)) return { ok: false, reason: 'taken' };
  const limit = await checkAccountMailLimit(user.id);
  if (!limit.allowed) return { ok: false, reason: 'rate_limited', retryAfterSeconds: limit.retryAfterSeconds };
  // Only the newest request stands: an earlier link (perhaps to a mistyped address) dies.
  await forgetEmailTokens(user.id, 'change_email');
  const token = await issueEmailToken(user.id, 'change_email', input.newEmail);
  queueMail('change_email', confirmNewEmailMail(input.newEmail, emailLink(origin, CONFIRM_EMAIL_PATH, token), user.email));
  return { ok: true };
}

export type EmailChangeResult = { ok: true; email: string } | { ok: false; reason: 'invalid_token' | 'taken' };

/** Uses a confirmation link: the account moves to the new address, verified. */
export async function confirmEmailChange(token: unknown): Promise<EmailChangeResult> {
  const used = await consumeEmailToken(token, 'change_email');
  if (!used) return { ok: false, reason: 'invalid_token' };
  const db = await getDb();
  const user = await findUserById(db, used.userId);
  if (!user) return { ok: false, reason: 'invalid_token' };
  if (user.email === used.email) return { ok: true, email: used.email };
  const outcome = await changeUserEmail(db, user.id, user.email, used.email);
  if (outcome === 'taken') return { ok: false, reason: 'taken' };
  if (outcome === 'stale') return { ok: false, reason: 'invalid_token' };
  queueMail('email_changed', emailChangedMail(user.email, used.email));
  if (stripeConfigured()) {
    // Off the confirmation's path (Stripe may be slow or down; the address has changed either way).
    void moveCustomerEmail(user.id, user.email, used.email).catch((error: unknown) =>
      log.error({ err: error, userId: user.id }, 'could not move the Stripe customers to the new address'),
    );
  }
  return { ok: true, email: used.email };
}
