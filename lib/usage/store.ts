import 'server-only';
import { getDb, type Database } from '@/db';
import { insertLedgerEntries, type NewLedgerEntry } from '@/db/queries/credit';
import { upsertRollups } from '@/db/queries/rollups';
import { existingAccountIds, insertUsageRows, touchKeysLastUsed } from '@/db/queries/usage';
import type { NewUsageRow } from '@/db/schema';
import { randomId } from '@/lib/keys/secret';
import type { UsageRecord } from './record';
import { retentionCutoff } from './retention';
import { aggregateRollups } from './rollups/aggregate';
import { isDataError } from './sql-state';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'usage' });

/** What storing some records did: rows inserted, records skipped, accounts and keys charged. */
export interface Stored {
  inserted: number;
  orphaned: number;
  debited: string[];
  chargedKeys: string[];
}

/** A record PostgreSQL refused on its own, with the error it gave. */
export interface Refusal {
  record: UsageRecord;
  error: unknown;
}

const nothing = (): Stored => ({ inserted: 0, orphaned: 0, debited: [], chargedKeys: [] });

/**
 * Stores the records; if PostgreSQL refuses the data (sql-state.ts), halves the batch and stores
 * each half, down to the single records it refuses, which go to `refused` — so one bad record
 * costs ~2·log2(batch) extra transactions instead of stopping every account's usage and debits
 * (issue #14). Any other failure (connection, shutdown, deadlock) is thrown: the batch stays
 * claimed and is retried whole. Halves already committed by then conflict on request id when it
 * is, so nothing is stored or debited twice.
 */
export async function storeIsolating(records: UsageRecord[], batchId: string, refused: Refusal[], db?: Database): Promise<Stored> {
  try {
    return await store(records, batchId, db);
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (records.length === 1) {
      refused.push({ record: records[0]!, error });
      return nothing();
    }
    const half = records.length >>> 1;
    // Each half is its own transaction, so its ledger reference needs its own batch id.
    const first = await storeIsolating(records.slice(0, half), `${batchId}.0`, refused, db);
    const second = await storeIsolating(records.slice(half), `${batchId}.1`, refused, db);
    return {
      inserted: first.inserted + second.inserted,
      orphaned: first.orphaned + second.orphaned,
      debited: [...new Set([...first.debited, ...second.debited])],
      chargedKeys: [...new Set([...first.chargedKeys, ...second.chargedKeys])],
    };
  }
}

/**
 * One transaction: rows, ledger debits, keys' last use, rollups. Counts new rows and records of
 * deleted accounts, and names the accounts and keys charged by new rows (top-ups and alerts look at them).
 */
async function store(records: UsageRecord[], batchId: string, database?: Database): Promise<Stored> {
  const db = database ?? (await getDb());
  return db.transaction(async (tx) => {
    // Usage of an account deleted since the request goes with the account (as its rows would
    // have, ON DELETE CASCADE); inserting it would fail the whole batch on the foreign key.
    const userIds = new Set(records.flatMap((r) => (r.userId === null ? [] : [r.userId])));
    const known = await existingAccountIds(tx, [...userIds]);
    // A record older than retention may be the redelivery of a row pruned since: storing it
    // would count it in the rollups a second time.
    const cutoff = retentionCutoff()?.getTime() ?? 0;
    const rows = records.filter((r) => (r.userId === null || known.has(r.userId)) && r.createdAt >= cutoff).map(toRow);
    const orphaned = records.length - rows.length;
    if (orphaned > 0) log.warn({ skipped: orphaned }, 'skipped records of deleted accounts or past retention');
    if (rows.length === 0) return { inserted: 0, orphaned, debited: [], chargedKeys: [] };

    const inserted = await insertUsageRows(tx, rows);
    const cost = new Map<string, number>();
    const lastUsed = new Map<string, Date>();
    for (const row of inserted) {
      if (row.userId !== null && row.costMicros > 0) cost.set(row.userId, (cost.get(row.userId) ?? 0) + row.costMicros);
      if (row.keyId !== null) {
        const latest = lastUsed.get(row.keyId);
        if (!latest || row.createdAt > latest) lastUsed.set(row.keyId, row.createdAt);
      }
    }
    const debits: NewLedgerEntry[] = [...cost].map(([userId, micros]) => ({
      id: randomId('cr'),
      userId,
      kind: 'usage',
      amountMicros: -micros,
      // Unique per batch and account: UNIQUE (kind, reference) then guards the debit like a grant.
      reference: `${batchId}/${userId}`,
    }));
    await insertLedgerEntries(tx, debits);
    await touchKeysLastUsed(tx, lastUsed);
    await upsertRollups(tx, aggregateRollups(inserted));
    const chargedKeys = inserted.flatMap((row) => (row.costMicros > 0 && row.keyId !== null ? [row.keyId] : []));
    return { inserted: inserted.length, orphaned, debited: [...cost.keys()], chargedKeys: [...new Set(chargedKeys)] };
  });
}

function toRow(record: UsageRecord): NewUsageRow & Omit<UsageRecord, 'createdAt'> {
  return { ...record, createdAt: new Date(record.createdAt) };
}
