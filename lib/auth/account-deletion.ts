import 'server-only';
import { getDb } from '@/db';
import { deleteUser, lockAccountCredentials, lockUser, type AccountCredentials } from '@/db/queries/users';
import { dropCreditBalance } from '@/lib/billing/credit';
import { forgetKey, retireHash } from '@/lib/keys/cache';
import { forgetLink, forgetLinkToken, retireLink, retireLinkToken } from '@/lib/links/cache';

/**
 * Deleting an account ends everything it could use, on every instance, as any key change does
 * (README "How a change reaches the gateway within 2 seconds"): its API keys, links and link
 * tokens are removed from Redis before the transaction commits — so if Redis is unreachable the
 * deletion is refused rather than saved while they keep working for a week — and written as
 * "no such key" after it. Sessions and management tokens read the database and end at once.
 *
 * Its live credit balance goes from Redis too, so admission cannot go on even on an instance
 * that still holds one of its keys in memory (for up to a second): it needs the balance, and a
 * deleted account's is never loaded again (lib/billing/credit.ts). Nothing is forwarded.
 */
export async function deleteAccount(userId: string): Promise<void> {
  const db = await getDb();
  const gone = await db.transaction(async (tx) => {
    // Keys and links first: their own changes lock their row and then (through an audit entry's
    // foreign key) the user row, so taking them in that order cannot deadlock with one in flight.
    await lockAccountCredentials(tx, userId);
    // The user row: a key, link or token being created for the account either committed before
    // this (and is read just below) or fails on its foreign key once the account is gone.
    if (!(await lockUser(tx, userId))) return null;
    const held = await lockAccountCredentials(tx, userId);
    await forgetAll(held);
    await dropCreditBalance(userId);
    await deleteUser(tx, userId);
    return held;
  });
  if (!gone) return;
  try {
    await Promise.all([
      ...gone.keyHashes.map(retireHash),
      ...gone.linkIds.map(retireLink),
      ...gone.tokenHashes.map(retireLinkToken),
      // Again: a balance loaded from a ledger read just before the commit may have landed since.
      dropCreditBalance(userId),
    ]);
  } catch (error) {
    // The account is gone and Redis was cleared before the commit: lookups now find nothing in
    // PostgreSQL either. Failing the request would only tell its owner it was not deleted.
    console.error(`[accounts] ${userId} deleted, but its Redis entries could not be marked gone:`, error);
  }
}

function forgetAll({ keyHashes, linkIds, tokenHashes }: AccountCredentials): Promise<unknown> {
  return Promise.all([...keyHashes.map(forgetKey), ...linkIds.map(forgetLink), ...tokenHashes.map(forgetLinkToken)]);
}
