import 'server-only';
import { getDb } from '@/db';
import { findUserByEmail, findUserById, insertUser, updatePasswordHash } from '@/db/queries/users';
import type { User } from '@/db/schema';
import { grantTrialCredit } from '@/lib/billing/credit';
import { passwordChangedMail } from '@/lib/email/messages';
import { queueMail } from '@/lib/email/send';
import { decoyHash, hashPassword, verifyPassword } from './password';

/** The account operations behind the forms, apart from any transport so tests can call them. */

export type SignUpResult = { ok: true; user: User } | { ok: false; reason: 'email_taken' };

export async function signUp(input: { email: string; password: string; name?: string }): Promise<SignUpResult> {
  const db = await getDb();
  const passwordHash = await hashPassword(input.password);
  const user = await insertUser(db, { email: input.email, name: input.name || null, passwordHash });
  if (!user) return { ok: false, reason: 'email_taken' };
  await grantTrialCredit(user.id);
  return { ok: true, user };
}

/** The user when email and password match; undefined otherwise, in the same time either way. */
export async function authenticate(email: string, password: string): Promise<User | undefined> {
  const db = await getDb();
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
  return user?.passwordHash && valid ? user : undefined;
}

export type ChangePasswordResult = { ok: true } | { ok: false; reason: 'wrong_password' | 'no_user' };

export async function changePassword(
  userId: string,
  currentPassword: string,
  newPassword: string,
): Promise<ChangePasswordResult> {
  const db = await getDb();
  const user = await findUserById(db, userId);
  if (!user) return { ok: false, reason: 'no_user' };
  // An OAuth-only account has no current password; it may set its first one.
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, currentPassword))) {
    return { ok: false, reason: 'wrong_password' };
  }
  await updatePasswordHash(db, userId, await hashPassword(newPassword));
  // Told by mail: if this was not the owner (a session left open), they learn of it.
  queueMail('password_changed', passwordChangedMail(user.email, 'changed'));
  return { ok: true };
}

export { deleteAccount } from './account-deletion';

export async function getUser(userId: string): Promise<User | undefined> {
  return findUserById(await getDb(), userId);
}
