import 'server-only';
import { redirect } from 'next/navigation';
import type { User } from '@/db/schema';
import { auth } from './index';
import { getUser } from './users';

/**
 * The signed-in user, if any. Sessions are stateless JWTs, so the user row is read again:
 * a deleted account must stop working at once, not when its cookie expires.
 */
export async function currentUser(): Promise<User | undefined> {
  const session = await auth();
  return session?.user?.id ? getUser(session.user.id) : undefined;
}

/** The signed-in user, or a redirect to /login. */
export async function requireUser(): Promise<User> {
  const user = await currentUser();
  if (!user) redirect('/login');
  return user;
}
