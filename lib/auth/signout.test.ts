import { randomUUID } from 'node:crypto';
import { encode } from '@auth/core/jwt';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

/**
 * A logged-out session is no session wherever Auth.js answers (issue #20): GET /api/auth/session
 * returns none for its cookie (and clears it rather than renewing it), and POST /api/auth/signout
 * revokes the session before clearing the cookie — or, if it cannot, answers an error and keeps
 * the cookie. Through the route handlers. Real PostgreSQL in CI, else the embedded PGlite.
 */
const services = await useTestServices();
const { GET, POST } = await import('@/app/api/auth/[...nextauth]/route');
const { signUp } = await import('./users');
const { revokeSessionClaims } = await import('./revocation');
const { authSecret } = await import('./secret');
const { getDb } = await import('@/db');
const { ServiceUnavailableError } = await import('@/lib/unavailable');
beforeAll(() => getDb());
afterAll(() => services.cleanup());

const ORIGIN = 'http://localhost:3000';
const COOKIE = 'authjs.session-token';

/** The cookie Auth.js sets at sign-in for this user (claims as lib/auth/index.ts writes them). */
async function signedIn() {
  const signed = await signUp({ email: `signout-${randomUUID()}@example.com`, password: 'sign me out 1' });
  if (!signed.ok) throw new Error('sign-up failed');
  const claims = { sub: signed.user.id, sid: randomUUID(), signedInAt: Date.now() };
  const jwt = await encode({ token: claims, secret: authSecret(), salt: COOKIE });
  return { userId: signed.user.id, claims, cookie: `${COOKIE}=${jwt}` };
}

async function sessionOf(cookie: string) {
  const response = await GET(new NextRequest(`${ORIGIN}/api/auth/session`, { headers: { cookie } }));
  return { body: (await response.json()) as { user?: { id?: string } } | null, setCookie: response.headers.getSetCookie().join('\n') };
}

async function signOutWith(cookie: string, withCsrf = true) {
  const csrf = await GET(new NextRequest(`${ORIGIN}/api/auth/csrf`));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return POST(
    new NextRequest(`${ORIGIN}/api/auth/signout`, {
      method: 'POST',
      headers: { cookie: `${cookie}; ${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken: withCsrf ? csrfToken : 'forged', callbackUrl: ORIGIN }),
    }),
  );
}

describe(`Auth.js and logged-out sessions on ${services.label}`, () => {
  it('GET /api/auth/session answers no session for a revoked cookie, and clears it', async () => {
    const { userId, claims, cookie } = await signedIn();
    expect((await sessionOf(cookie)).body?.user?.id).toBe(userId);
    await revokeSessionClaims(claims);
    const after = await sessionOf(cookie);
    expect(after.body).toBeNull();
    expect(after.setCookie).toMatch(new RegExp(`^${COOKIE}=;`, 'm'));
  });

  it('POST /api/auth/signout revokes the session: a copy of the cookie is no session afterwards', async () => {
    const { userId, cookie } = await signedIn();
    const response = await signOutWith(cookie);
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie().join('\n')).toMatch(new RegExp(`^${COOKIE}=;`, 'm'));
    expect((await sessionOf(cookie)).body).toBeNull();
    // A forged sign-out (no valid CSRF token) revokes nothing.
    const other = await signedIn();
    await signOutWith(other.cookie, false);
    expect((await sessionOf(other.cookie)).body?.user?.id).toBe(other.userId);
    expect(userId).not.toBe(other.userId);
  });

  it('POST /api/auth/signout that cannot revoke answers an error and keeps the cookie (the session is not ended in name only)', async () => {
    const { userId, cookie } = await signedIn();
    const db = await getDb();
    const execute = vi.spyOn(db, 'execute').mockRejectedValueOnce(new ServiceUnavailableError('database'));
    let response: Response;
    try {
      response = await signOutWith(cookie);
    } finally {
      execute.mockRestore();
    }
    expect(response.status).toBe(503);
    expect(response.headers.getSetCookie().join('\n')).not.toMatch(new RegExp(`^${COOKIE}=`, 'm'));
    expect((await sessionOf(cookie)).body?.user?.id).toBe(userId);
  });
});
