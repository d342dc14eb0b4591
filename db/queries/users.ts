import 'server-only';
import { eq } from 'drizzle-orm';
import type { Database } from '../open';
import { users, type User } from '../schema';

export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user;
}

export async function findUserById(db: Database, id: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user;
}

/** Inserts a user; undefined when the email is taken (the unique index decides, race-free). */
export async function insertUser(
  db: Database,
  values: { email: string; name: string | null; passwordHash: string },
): Promise<User | undefined> {
  const [user] = await db.insert(users).values(values).onConflictDoNothing({ target: users.email }).returning();
  return user;
}

/** New password; every session signed in before `now` stops working. */
export async function updatePasswordHash(db: Database, id: string, passwordHash: string, now = new Date()): Promise<void> {
  await db.update(users).set({ passwordHash, sessionsValidFrom: now }).where(eq(users.id, id));
}

/** Deletes the user; linked OAuth accounts go with it (ON DELETE CASCADE). */
export async function deleteUser(db: Database, id: string): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}
