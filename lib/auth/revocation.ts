import 'server-only';
import { getToken } from '@auth/core/jwt';
import { getDb } from '@/db';
import { findSessionUser, revokeSession } from '@/db/queries/sessions';
import { authSecret } from './secret';
import { revocationExpiry, sessionAccepted } from './session-policy';

/**
 * Logging out ends the session on the server, not only in this browser: its id is recorded as
 * revoked, so a copy of the cookie (saved, stolen, in another tab's request) is refused too —
 * by Auth.js itself (sessionLive, from the jwt callback: auth(), GET /api/auth/session) and by
 * lib/auth/session.ts. The user's other sessions go on. Claims as in the session's JWT.
 */
export async function revokeSessionClaims(claims: { sub?: unknown; sid?: unknown; signedInAt?: unknown }): Promise<void> {
  const { sub, sid, signedInAt } = claims;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof signedInAt !== 'number') return;
  await revokeSession(await getDb(), { sid, userId: sub, expiresAt: revocationExpiry(signedInAt) });
}

/**
 * Whether a session's JWT is still good: not logged out, its account not deleted, not older than
 * its lifetime or the last password change. A database failure throws (Auth.js then answers
 * "no session" rather than vouching for one it could not check).
 */
export async function sessionLive(claims: { sub?: unknown; sid?: unknown; signedInAt?: unknown }): Promise<boolean> {
  const { sub, sid, signedInAt } = claims;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof signedInAt !== 'number') return false;
  const found = await findSessionUser(await getDb(), sub, sid);
  return Boolean(found && sessionAccepted({ sid, signedInAt }, found.user, found.revoked));
}

/**
 * POST /api/auth/signout: Auth.js has answered (`response`) and, if it accepted the sign-out
 * (its CSRF check passed), clears the session cookie. The session is revoked then, from the
 * request's cookie; if that fails the error is thrown, so the caller answers it instead — the
 * cookie is kept rather than cleared while a copy of it still works. (Auth.js's own signOut event
 * would swallow the error.) The Log out button revokes through endSession (lib/auth/session.ts).
 */
export async function revokeSignedOutSession(request: Request, response: Response): Promise<void> {
  const secureCookie = new URL(request.url).protocol === 'https:';
  const cookieName = `${secureCookie ? '__Secure-' : ''}authjs.session-token`;
  // Cleared: set empty (a long session comes in chunks, `<name>.0`, `<name>.1`...).
  const cleared = response.headers.getSetCookie().some((cookie) => cookie.startsWith(`${cookieName}=;`) || cookie.startsWith(`${cookieName}.0=;`));
  if (!cleared) return;
  const token = await getToken({ req: request, secret: authSecret(), secureCookie, cookieName });
  if (token) await revokeSessionClaims(token);
}
