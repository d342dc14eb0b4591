import 'server-only';
import { getDb } from '@/db';
import { revokeSession } from '@/db/queries/sessions';
import { revocationExpiry } from './session-policy';

/**
 * Logging out ends the session on the server, not only in this browser: its id is recorded as
 * revoked, so a copy of the cookie (saved, stolen, in another tab's request) is refused too
 * (lib/auth/session.ts). The user's other sessions go on. Claims as in the session's JWT.
 */
export async function revokeSessionClaims(claims: { sub?: unknown; sid?: unknown; signedInAt?: unknown }): Promise<void> {
  const { sub, sid, signedInAt } = claims;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof signedInAt !== 'number') return;
  await revokeSession(await getDb(), { sid, userId: sub, expiresAt: revocationExpiry(signedInAt) });
}
