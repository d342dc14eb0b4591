import 'server-only';
import { redirect } from 'next/navigation';
import { getDb } from '@/db';
import { findSessionUser } from '@/db/queries/sessions';
import type { User } from '@/db/schema';
import { auth } from './index';
import { revokeSessionClaims } from './revocation';
import { sessionAccepted } from './session-policy';

/**
 * The signed-in user, if any. Sessions are stateless JWTs, so the user row is read again, with
 * whether this session was logged out, in one query: a deleted account, a session logged out
 * (wherever its cookie was copied to) or older than the last password change stops at once.
 * Every dashboard page, server action and route goes through here (requireUser).
 */
export async function currentUser(): Promise<User | undefined> {
  const session = await auth();
  if (!session?.user?.id || !session.sid) return undefined;
  const found = await findSessionUser(await getDb(), session.user.id, session.sid);
  if (!found || !sessionAccepted(session, found.user, found.revoked)) return undefined;
  return found.user;
}

/** The signed-in user, or a redirect to /login. */
export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) redirect('/login');
  return user;
}

/**
 * Revokes this browser's session on the server (before Auth.js clears its cookie): a failure
 * throws, so the person is not told they are logged out while a copy of the cookie still works.
 */
export async function endSession(): Promise<void> {
  const session = await auth();
  if (session?.user?.id) await revokeSessionClaims({ sub: session.user.id, sid: session.sid, signedInAt: session.signedInAt });
}
