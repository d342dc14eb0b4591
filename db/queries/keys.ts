import 'server-only';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Database } from '../open';
import { apiKeyEvents, apiKeys, type ApiKeyRow } from '../schema';

/** Keys of one account that are not deleted, newest first. */
export function listLiveKeys(db: Database, userId: string): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt)))
    .orderBy(desc(apiKeys.createdAt));
}

/** A live key of this account; another account's key is simply not found. */
export async function findLiveKey(db: Database, userId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.deletedAt)))
    .limit(1);
  return row;
}

/** The live key with this secret hash (the gateway's database fallback). */
export async function findLiveKeyByHash(db: Database, hash: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.deletedAt)))
    .limit(1);
  return row;
}

export function listKeyEvents(db: Database, keyId: string) {
  return db.select().from(apiKeyEvents).where(eq(apiKeyEvents.keyId, keyId)).orderBy(desc(apiKeyEvents.createdAt)).limit(200);
}

export async function touchKeyLastUsed(db: Database, keyId: string, at: Date): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, keyId));
}
