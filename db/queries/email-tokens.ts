import 'server-only';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { emailTokens, type EmailTokenPurpose, type EmailTokenRow } from '../schema';

export async function insertEmailToken(
  db: Database,
  values: { hash: string; userId: string; purpose: EmailTokenPurpose; email: string; expiresAt: Date },
): Promise<void> {
  await db.insert(emailTokens).values(values);
  // Housekeeping on the way: expired rows are of no use to anyone (the index makes this cheap).
  await db.delete(emailTokens).where(lt(emailTokens.expiresAt, sql`now() - interval '1 day'`));
}

/**
 * Uses a token: deletes its row if it is of this purpose and not expired, and returns it. One
 * statement, so of two requests racing with the same token exactly one gets the row. Expiry is
 * the database's clock, the same for every instance.
 */
export async function takeEmailToken(db: Database, hash: string, purpose: EmailTokenPurpose): Promise<EmailTokenRow | undefined> {
  const [row] = await db
    .delete(emailTokens)
    .where(and(eq(emailTokens.hash, hash), eq(emailTokens.purpose, purpose), gt(emailTokens.expiresAt, sql`now()`)))
    .returning();
  return row;
}

/** Whether an unexpired token exists, without using it (the pages say early when a link is dead). */
export async function emailTokenLive(db: Database, hash: string, purpose: EmailTokenPurpose): Promise<boolean> {
  const rows = await db
    .select({ hash: emailTokens.hash })
    .from(emailTokens)
    .where(and(eq(emailTokens.hash, hash), eq(emailTokens.purpose, purpose), gt(emailTokens.expiresAt, sql`now()`)))
    .limit(1);
  return rows.length > 0;
}

/** Forgets every token of this purpose of an account (a reset used, a newer address requested). */
export async function deleteEmailTokens(db: Database, userId: string, purpose: EmailTokenPurpose): Promise<void> {
  await db.delete(emailTokens).where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose)));
}
