import 'server-only';
import { redirect } from 'next/navigation';
import type { User } from '@/db/schema';
import { auth } from './index';
import { getUser } from './users';

/**
 * The signed-in user, if any. Sessions are stateless JWTs, so the user row is read again: a
 * deleted account, or a session older than the last password change, stops working at once.
 */
export async function currentUser(): Promise<User | undefined> {
  const session = await auth();
  const user = session?.user?.id ? await getUser(session.user.id) : undefined;
  // A password change ends the sessions that signed in before it.
  if (user?.sessionsValidFrom && (session?.signedInAt ?? 0) < user.sessionsValidFrom.getTime()) return undefined;
  return user;
}

/** The signed-in user, or a redirect to /login. */
export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) redirect('/login');
  return user;
}
