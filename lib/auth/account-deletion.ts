import 'server-only';
import { getDb, type Database } from '@/db';
import { deleteOrganizationRow, lockOrganization, organizationsOnlyOwnedBy, soleMemberOrganizations } from '@/db/queries/organizations';
import { deleteUser, lockAccountCredentials, lockUser, type AccountCredentials } from '@/db/queries/users';
import { ApiError } from '@/lib/errors';
import { assertCan, type Actor } from '@/lib/orgs/actor';
import { markCreditDeleted, unmarkCreditDeleted } from '@/lib/billing/credit';
import { forgetKey, retireHash } from '@/lib/keys/cache';
import { forgetLink, forgetLinkToken, retireLink, retireLinkToken } from '@/lib/links/cache';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'accounts' });

/**
 * Deleting an account deletes the organizations whose only member it is (its own, at least) and
 * ends everything they could use, on every instance, as any key change does
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
  const marked: Held[] = [];
  try {
    await db.transaction(async (tx) => {
      // Keys and links first: their own changes lock their row and then (through an audit entry's
      // foreign key) the owner row, so taking them in that order cannot deadlock with one in flight.
      const alone = await soleMemberOrganizations(tx, userId);
      for (const organizationId of alone) await lockAccountCredentials(tx, organizationId);
      // The user row: a key, link or token being created for the account either committed before
      // this (and is read just below) or fails on its foreign key once the account is gone.
      if (!(await lockUser(tx, userId))) return;
      // An organization others still use is not deleted with its last owner: ownership goes first.
      const orphaned = (await organizationsOnlyOwnedBy(tx, userId)).filter((organization) => organization.members > 1);
      if (orphaned.length > 0) throw mustTransferFirst(orphaned.map((organization) => organization.name));
      // Organizations where this person is the only member go with them (their own, at least).
      await retireOrganizations(tx, await soleMemberOrganizations(tx, userId), marked);
      await deleteUser(tx, userId);
    });
  } catch (error) {
    await undo(marked);
    throw error;
  }
}

/**
 * Deletes an organization (not a person's own, which goes with their account): its keys, links
 * and link tokens stop on every instance before the commit, as for an account.
 */
export async function deleteOrganization(actor: Actor): Promise<void> {
  assertCan(actor, 'organization.manage');
  if (actor.accountId === actor.userId) {
    throw new ApiError(409, 'personal_organization', 'Your own organization goes only with your account (Settings → Delete account).');
  }
  const db = await getDb();
  const marked: Held[] = [];
  try {
    await db.transaction(async (tx) => {
      await lockAccountCredentials(tx, actor.accountId);
      if (!(await lockOrganization(tx, actor.accountId))) return;
      await retireOrganizations(tx, [actor.accountId], marked);
    });
  } catch (error) {
    await undo(marked);
    throw error;
  }
}

interface Held {
  organizationId: string;
  credentials: AccountCredentials;
}

/**
 * Tombstones every credential of these organizations in Redis, marks their credit deleted, deletes
 * their rows. What it touched is pushed to `held` as it goes, for undo() should anything fail.
 */
async function retireOrganizations(tx: Database, organizationIds: readonly string[], held: Held[]): Promise<void> {
  for (const organizationId of organizationIds) {
    const credentials = await lockAccountCredentials(tx, organizationId);
    held.push({ organizationId, credentials });
    await retireAll(credentials);
    // Last, once every tombstone is written: nothing of the organization is live in Redis from here.
    await markCreditDeleted(organizationId);
  }
  for (const organizationId of organizationIds) await deleteOrganizationRow(tx, organizationId);
}

function mustTransferFirst(names: string[]): ApiError {
  const list = names.map((name) => `“${name}”`).join(', ');
  return new ApiError(409, 'transfer_ownership_first', `You are the only owner of ${list}, which has other members: transfer ownership (Members) or remove them first. Nothing was deleted.`);
}

function retireAll({ keyHashes, linkIds, tokenHashes }: AccountCredentials): Promise<unknown> {
  return Promise.all([...keyHashes.map(retireHash), ...linkIds.map(retireLink), ...tokenHashes.map(retireLinkToken)]);
}

/** The deletion rolled back: lookups and balance loads go back to PostgreSQL, the truth. */
async function undo(held: readonly Held[]): Promise<void> {
  for (const { organizationId, credentials } of held) {
    const { keyHashes, linkIds, tokenHashes } = credentials;
    try {
      await Promise.all([
        ...keyHashes.map(forgetKey),
        ...linkIds.map(forgetLink),
        ...tokenHashes.map(forgetLinkToken),
        unmarkCreditDeleted(organizationId),
      ]);
    } catch (error) {
      log.error({ err: error, organizationId }, 'not deleted; its keys stay refused until their Redis tombstones expire');
    }
  }
}
