import 'server-only';
import { getDb } from '@/db';
import { deleteUser, lockAccountCredentials, lockUser, type AccountCredentials } from '@/db/queries/users';
import { markCreditDeleted, unmarkCreditDeleted } from '@/lib/billing/credit';
import { forgetKey, retireHash } from '@/lib/keys/cache';
import { forgetLink, forgetLinkToken, retireLink, retireLinkToken } from '@/lib/links/cache';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'accounts' });

/**
 * Deleting an account ends everything it could use, on every instance, as any key change does
 * (README "How a change reaches the gateway within 2 seconds"): its API keys, links and link
 * tokens are written to Redis as "no such key" BEFORE the transaction commits. Deleting them
 * instead would not do: until the COMMIT the rows still exist for every other connection, so a
 * lookup elsewhere would refill the live record (SET NX) — and it would then live a week if a
 * step after the COMMIT failed. A tombstone is never overwritten by a refill or a publish
 * (lib/cache/layered.ts), so nothing needs doing after the COMMIT. If Redis is unreachable the
 * deletion is refused rather than saved while they keep working.
 *
 * Its live credit balance goes too, and a marker written with it stops any instance from loading
 * it again (lib/billing/credit.ts) — even one that read the ledger before the COMMIT: admission
 * needs the balance, so a key of it an instance still holds in memory (up to a second) cannot
 * be admitted either. Sessions and management tokens read the database and end at the COMMIT.
 *
 * Should the transaction fail after that, the tombstones and the marker are removed again (best
 * effort, logged: until they expire — 10 minutes, a day — the account's keys are refused).
 */
export async function deleteAccount(userId: string): Promise<void> {
  const db = await getDb();
  let marked: AccountCredentials | null = null;
  try {
    await db.transaction(async (tx) => {
      // Keys and links first: their own changes lock their row and then (through an audit entry's
      // foreign key) the user row, so taking them in that order cannot deadlock with one in flight.
      await lockAccountCredentials(tx, userId);
      // The user row: a key, link or token being created for the account either committed before
      // this (and is read just below) or fails on its foreign key once the account is gone.
      if (!(await lockUser(tx, userId))) return;
      const held = await lockAccountCredentials(tx, userId);
      marked = held;
      await retireAll(held);
      // Last, once every tombstone is written: nothing of the account is live in Redis from here.
      await markCreditDeleted(userId);
      await deleteUser(tx, userId);
    });
  } catch (error) {
    if (marked) await undo(userId, marked);
    throw error;
  }
}

function retireAll({ keyHashes, linkIds, tokenHashes }: AccountCredentials): Promise<unknown> {
  return Promise.all([...keyHashes.map(retireHash), ...linkIds.map(retireLink), ...tokenHashes.map(retireLinkToken)]);
}

/** The deletion rolled back: lookups and balance loads go back to PostgreSQL, the truth. */
async function undo(userId: string, { keyHashes, linkIds, tokenHashes }: AccountCredentials): Promise<void> {
  try {
    await Promise.all([
      ...keyHashes.map(forgetKey),
      ...linkIds.map(forgetLink),
      ...tokenHashes.map(forgetLinkToken),
      unmarkCreditDeleted(userId),
    ]);
  } catch (error) {
    log.error({ err: error, userId }, 'account not deleted; its keys stay refused until their Redis tombstones expire');
  }
}
