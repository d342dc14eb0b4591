'use server';

import { signOut } from '@/lib/auth';
import { endSession } from '@/lib/auth/session';

export async function signOutAction(): Promise<void> {
  // Revoked on the server first (Auth.js's own sign-out event does it too, but swallows errors):
  // if that fails, the person sees an error instead of a logout that a saved cookie outlives.
  await endSession();
  await signOut({ redirectTo: '/login' });
}
