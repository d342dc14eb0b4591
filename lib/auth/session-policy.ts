import type { User } from '@/db/schema';

/**
 * When a session (a signed JWT, lib/auth/index.ts) is still good — decided from its claims and
 * the user row, which the dashboard reads on every request (lib/auth/session.ts).
 */

/** How long a session lasts after its sign-in, however often its cookie is refreshed. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
const MAX_AGE_MS = SESSION_MAX_AGE_SECONDS * 1000;

export interface SessionClaims {
  /** Random id set at sign-in; what logging out revokes. */
  sid?: string;
  /** Epoch ms of the sign-in. */
  signedInAt: number;
}

export function sessionAccepted(claims: SessionClaims, user: Pick<User, 'sessionsValidFrom'>, revoked: boolean, now = Date.now()): boolean {
  // A session without an id (signed before logout could revoke one) could never be ended.
  if (!claims.sid || revoked) return false;
  // Auth.js renews the cookie's expiry as it is used; the sign-in time bounds the session all
  // the same, which is also how long a revocation has to be remembered.
  if (now - claims.signedInAt >= MAX_AGE_MS) return false;
  // A password change ends the sessions that signed in before it.
  if (user.sessionsValidFrom && claims.signedInAt < user.sessionsValidFrom.getTime()) return false;
  return true;
}

/** Until when a revocation must be kept: after that the session is refused for its age. */
export const revocationExpiry = (signedInAt: number) => new Date(signedInAt + MAX_AGE_MS);
