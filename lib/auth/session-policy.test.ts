import { describe, expect, it } from 'vitest';
import { revocationExpiry, SESSION_MAX_AGE_SECONDS, sessionAccepted } from './session-policy';

const now = Date.UTC(2026, 5, 1);
const day = 24 * 3600 * 1000;
const fresh = { sid: 'a-session', signedInAt: now - day };
const user = { sessionsValidFrom: null };

describe('which sessions are accepted', () => {
  it('a session with an id, not revoked, signed in after the last password change and within its lifetime', () => {
    expect(sessionAccepted(fresh, user, false, now)).toBe(true);
    expect(sessionAccepted(fresh, { sessionsValidFrom: new Date(now - 2 * day) }, false, now)).toBe(true);
  });

  it('not once logged out (revoked), nor without an id that logging out could revoke', () => {
    expect(sessionAccepted(fresh, user, true, now)).toBe(false);
    expect(sessionAccepted({ signedInAt: fresh.signedInAt }, user, false, now)).toBe(false);
    expect(sessionAccepted({ ...fresh, sid: '' }, user, false, now)).toBe(false);
  });

  it('not when signed in before a password change', () => {
    expect(sessionAccepted(fresh, { sessionsValidFrom: new Date(now - day + 1) }, false, now)).toBe(false);
  });

  it('not past its lifetime from sign-in, however often its cookie was renewed; revocations are kept exactly that long', () => {
    const signedInAt = now - SESSION_MAX_AGE_SECONDS * 1000;
    expect(sessionAccepted({ sid: 'old', signedInAt: signedInAt + 1 }, user, false, now)).toBe(true);
    expect(sessionAccepted({ sid: 'old', signedInAt }, user, false, now)).toBe(false);
    expect(revocationExpiry(signedInAt).getTime()).toBe(now);
  });
});
