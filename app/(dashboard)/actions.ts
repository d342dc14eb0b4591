'use server';

import { signOut } from '@/lib/auth';
import { endSession } from '@/lib/auth/session';

export async function signOutAction(): Promise<void> {
  // Revoked on the server first, the one revocation of this path (Auth.js's signOut clears only
  // the cookie): if it fails, the person sees an error instead of a logout a saved cookie outlives.
  await endSession();
  await signOut({ redirectTo: '/login' });
}
