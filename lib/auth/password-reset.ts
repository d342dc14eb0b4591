import 'server-only';
import { getDb } from '@/db';
import { findUserByEmail, findUserById, resetPasswordHash } from '@/db/queries/users';
import { passwordChangedMail, passwordResetMail } from '@/lib/email/messages';
import { emailLink } from '@/lib/email/origin';
import { queueMail } from '@/lib/email/send';
import { checkResetLimit, type MailLimit } from './email-limits';
import { consumeEmailToken, forgetEmailTokens, issueEmailToken, TOKEN_TTL_MS } from './email-tokens';
import { clearLoginLimit } from './login-limit';
import { hashPassword } from './password';

/**
 * "Forgot password": a link by email, good once for 30 minutes, that sets a new password.
 *
 * Asking answers the same for every address — known, unknown, OAuth-only — and takes about the
 * same time: the mail goes out in the background (lib/email/send.ts) and the answer waits until
 * ANSWER_FLOOR_MS have passed either way, so neither the words nor the timing tell whether an
 * account exists. Only the limits (per address and per client, email-limits.ts) refuse, and they
 * count unknown addresses too.
 */

export const RESET_PATH = '/reset-password';
const ANSWER_FLOOR_MS = 250;

export type ResetRequestResult = { ok: true } | ({ ok: false; reason: 'rate_limited' } & Extract<MailLimit, { allowed: false }>);

export async function requestPasswordReset(input: { email: string; ip: string | undefined; origin: string }): Promise<ResetRequestResult> {
  const started = performance.now();
  const limit = await checkResetLimit(input.email, input.ip);
  if (!limit.allowed) return { ok: false, reason: 'rate_limited', allowed: false, retryAfterSeconds: limit.retryAfterSeconds };
  const user = await findUserByEmail(await getDb(), input.email);
  if (user) {
    const token = await issueEmailToken(user.id, 'reset_password', user.email);
    queueMail('password_reset', passwordResetMail(user.email, emailLink(input.origin, RESET_PATH, token), TOKEN_TTL_MS.reset_password / 60_000));
  }
  const left = ANSWER_FLOOR_MS - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return { ok: true };
}

export type ResetResult = { ok: true; email: string } | { ok: false; reason: 'invalid_token' };

/**
 * Sets the new password with a token from a reset mail. The token is used up first (one request
 * wins a race), then: every session signed in before now ends (sessions_valid_from), the other
 * reset links of the account die, the login lockout lifts (the owner proved who they are — the
 * lockout exists to stop guessers), and the address counts as verified (the link reached it).
 */
export async function resetPassword(token: unknown, newPassword: string): Promise<ResetResult> {
  const used = await consumeEmailToken(token, 'reset_password');
  if (!used) return { ok: false, reason: 'invalid_token' };
  const db = await getDb();
  const user = await findUserById(db, used.userId);
  // The account changed its address since the link was sent: the link was for the old one.
  if (!user || user.email !== used.email) return { ok: false, reason: 'invalid_token' };
  await resetPasswordHash(db, user.id, await hashPassword(newPassword));
  await forgetEmailTokens(user.id, 'reset_password');
  await clearLoginLimit(user.email);
  queueMail('password_changed', passwordChangedMail(user.email, 'reset'));
  return { ok: true, email: user.email };
}
