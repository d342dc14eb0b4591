import 'server-only';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { apiKeys, links, linkTokens, memberships, organizations, users, type User } from '../schema';

export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user;
}

export async function findUserById(db: Database, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

/**
 * Inserts a person and their own organization (same id; they are its owner), in one transaction;
 * undefined when the email is taken (the unique index decides, race-free).
 */
export async function insertUser(
  db: Database,
  values: { email: string; name: string | null; passwordHash: string },
): Promise<User | undefined> {
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(users).values(values).onConflictDoNothing({ target: users.email }).returning();
    if (user) await insertPersonalOrganizations(tx, [user]);
    return user;
  });
}

/** Each person's own organization, with the same id, them as owner (sign-up; seeding scripts and tests). */
export async function insertPersonalOrganizations(db: Database, people: readonly Pick<User, 'id' | 'email' | 'name'>[]): Promise<void> {
  if (people.length === 0) return;
  await db
    .insert(organizations)
    .values(people.map((person) => ({ id: person.id, name: person.name?.trim() || person.email.split('@')[0] || 'Personal' })))
    .onConflictDoNothing();
  await db
    .insert(memberships)
    .values(people.map((person) => ({ organizationId: person.id, userId: person.id, role: 'owner' as const })))
    .onConflictDoNothing();
}

/** People inserted as sign-up would (each with their own organization): for scripts and tests that seed accounts. */
export async function insertPeople(db: Database, values: typeof users.$inferInsert | (typeof users.$inferInsert)[]): Promise<User[]> {
  const rows = await db.insert(users).values(Array.isArray(values) ? values : [values]).returning();
  await insertPersonalOrganizations(db, rows);
  return rows;
}

/** New password; every session signed in before `now` stops working. */
export async function updatePasswordHash(db: Database, id: string, passwordHash: string, now = new Date()): Promise<void> {
  await db.update(users).set({ passwordHash, sessionsValidFrom: now }).where(eq(users.id, id));
}

/**
 * A password set through an emailed reset link: every session signed in before `now` stops
 * working, and the address counts as verified (the link reached it).
 */
export async function resetPasswordHash(db: Database, id: string, passwordHash: string, now = new Date()): Promise<void> {
  await db
    .update(users)
    .set({ passwordHash, sessionsValidFrom: now, emailVerified: sql`coalesce(${users.emailVerified}, ${now.toISOString()}::timestamptz)` })
    .where(eq(users.id, id));
}

/** Marks `email` verified, if it is still the account's address; false otherwise. */
export async function markEmailVerified(db: Database, id: string, email: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ emailVerified: sql`coalesce(${users.emailVerified}, ${now.toISOString()}::timestamptz)` })
    .where(and(eq(users.id, id), eq(users.email, email)))
    .returning({ id: users.id });
  return rows.length > 0;
}

/**
 * Moves the account to a new address, verified (a link sent there was followed). Only from the
 * address the change was asked from; 'taken' when another account has the new one (the unique
 * index decides, race-free).
 */
export async function changeUserEmail(db: Database, id: string, from: string, to: string, now = new Date()): Promise<'changed' | 'taken' | 'stale'> {
  try {
    const rows = await db
      .update(users)
      .set({ email: to, emailVerified: now })
      .where(and(eq(users.id, id), eq(users.email, from)))
      .returning({ id: users.id });
    return rows.length > 0 ? 'changed' : 'stale';
  } catch (error) {
    if (isUniqueViolation(error)) return 'taken';
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

/** Locks the user row for the rest of the transaction; false when there is no such user. */
export async function lockUser(tx: Database, id: string): Promise<boolean> {
  const rows = await tx.select({ id: users.id }).from(users).where(eq(users.id, id)).for('update');
  return rows.length > 0;
}

/** What of an account the hot paths cache (lib/cache/layered.ts), by the ids they cache it under. */
export interface AccountCredentials {
  keyHashes: string[];
  linkIds: string[];
  tokenHashes: string[];
}

/**
 * The account's live keys and links, locked for the rest of the transaction (their own changes
 * lock the same rows, so none is half-way through), and the active tokens of its links.
 */
export async function lockAccountCredentials(tx: Database, userId: string): Promise<AccountCredentials> {
  const keyRows = await tx
    .select({ hash: apiKeys.hash })
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt)))
    .for('update');
  const linkRows = await tx
    .select({ id: links.id })
    .from(links)
    .where(and(eq(links.userId, userId), isNull(links.deletedAt)))
    .for('update');
  const tokenRows = await tx
    .select({ hash: linkTokens.hash })
    .from(linkTokens)
    .innerJoin(links, eq(links.id, linkTokens.linkId))
    .where(and(eq(links.userId, userId), isNull(linkTokens.revokedAt)));
  return { keyHashes: keyRows.map((row) => row.hash), linkIds: linkRows.map((row) => row.id), tokenHashes: tokenRows.map((row) => row.hash) };
}

/**
 * Deletes the user; everything of the account goes with it (ON DELETE CASCADE): OAuth accounts,
 * keys, links and their tokens, management tokens, the credit ledger, usage.
 */
export async function deleteUser(db: Database, id: string): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}
