import { randomUUID } from 'node:crypto';
import type { Session } from 'next-auth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestServices } from '@/lib/testing/services';

/**
 * Logging out revokes the session on the server (issue #20): currentUser() — behind every
 * dashboard page, server action and route — refuses that session's cookie from then on, and only
 * that session's. Auth.js's auth() is stubbed with the session a cookie would decode to. Real
 * PostgreSQL in CI, else the embedded PGlite.
 */
const services = await useTestServices();
const auth = vi.fn<() => Promise<Session | null>>();
vi.mock('./index', () => ({ auth }));
const { currentUser, endSession } = await import('./session');
const { revokeSessionClaims } = await import('./revocation');
const { signUp, changePassword, deleteAccount } = await import('./users');
const { getDb } = await import('@/db');
const { revokedSessions } = await import('@/db/schema');
const { eq } = await import('drizzle-orm');
beforeAll(() => getDb());
afterAll(() => services.cleanup());

async function account() {
  const signed = await signUp({ email: `session-${randomUUID()}@example.com`, password: 'sessions are 10' });
  if (!signed.ok) throw new Error('sign-up failed');
  return signed.user.id;
}

const session = (userId: string, sid: string | undefined, signedInAt = Date.now()): Session =>
  ({ user: { id: userId }, sid, signedInAt, expires: new Date(Date.now() + 3_600_000).toISOString() }) as Session;

/** currentUser() as a request carrying this session's cookie sees it. */
async function userOf(cookie: Session): Promise<string | undefined> {
  auth.mockResolvedValue(cookie);
  return (await currentUser())?.id;
}

describe(`session revocation on ${services.label}`, () => {
  it('logging out ends that session wherever its cookie is, and only that session', async () => {
    const userId = await account();
    const laptop = session(userId, randomUUID());
    const phone = session(userId, randomUUID());
    expect(await userOf(laptop)).toBe(userId);
    expect(await userOf(phone)).toBe(userId);

    auth.mockResolvedValue(laptop);
    await endSession();
    expect(await userOf(laptop)).toBeUndefined();
    expect(await userOf(phone)).toBe(userId);
    // Logging out twice (two tabs) is harmless.
    auth.mockResolvedValue(laptop);
    await endSession();
    const rows = await (await getDb()).select().from(revokedSessions).where(eq(revokedSessions.userId, userId));
    expect(rows).toHaveLength(1);
    // Kept until the session would have expired anyway (30 days after its sign-in).
    expect(rows[0]!.expiresAt.getTime()).toBe(laptop.signedInAt + 30 * 24 * 3600 * 1000);
  });

  it('refuses sessions without an id, older than their lifetime, or older than the last password change', async () => {
    const userId = await account();
    expect(await userOf(session(userId, undefined))).toBeUndefined();
    expect(await userOf(session(userId, randomUUID(), Date.now() - 31 * 24 * 3600 * 1000))).toBeUndefined();
    const before = session(userId, randomUUID(), Date.now() - 1_000);
    expect(await userOf(before)).toBe(userId);
    await changePassword(userId, 'sessions are 10', 'sessions are 11');
    expect(await userOf(before)).toBeUndefined();
    expect(await userOf(session(userId, randomUUID(), Date.now() + 1))).toBe(userId);
  });

  it("a session's claims: revoked when well-formed, ignored otherwise; expired revocations are cleaned up", async () => {
    const userId = await account();
    const sid = randomUUID();
    await revokeSessionClaims({ sub: userId, sid: 42, signedInAt: Date.now() });
    await revokeSessionClaims({ sub: userId, sid });
    expect(await userOf(session(userId, sid))).toBe(userId);

    const db = await getDb();
    const stale = randomUUID();
    await db.insert(revokedSessions).values({ sid: stale, userId, expiresAt: new Date(Date.now() - 1_000) });
    await revokeSessionClaims({ sub: userId, sid, signedInAt: Date.now() });
    expect(await userOf(session(userId, sid))).toBeUndefined();
    expect(await db.select().from(revokedSessions).where(eq(revokedSessions.sid, stale))).toEqual([]);
  });

  it('a deleted account: its sessions end, and signing out afterwards records nothing', async () => {
    const userId = await account();
    const cookie = session(userId, randomUUID());
    await deleteAccount(userId);
    expect(await userOf(cookie)).toBeUndefined();
    await revokeSessionClaims({ sub: userId, sid: cookie.sid, signedInAt: cookie.signedInAt });
    expect(await (await getDb()).select().from(revokedSessions).where(eq(revokedSessions.userId, userId))).toEqual([]);
  });
});
