import 'server-only';
import { getTableColumns, inArray, is, SQL, sql } from 'drizzle-orm';
import { nextTurn, SLICE } from '@/lib/server/next-turn';
import type { Database } from '../open';
import { apiKeys, usageRecords, organizations, type NewUsageRow } from '../schema';

/** The drain's statements (lib/usage/drain.ts); each takes the batch's transaction. */

export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'execute'>;

/** Which of these user ids still exist (usage of a deleted account goes with the account). */
/** Which of these organizations (the owners usage is charged to) still exist. */
export async function existingAccountIds(tx: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.select({ id: organizations.id }).from(organizations).where(inArray(organizations.id, [...ids]));
  return new Set(rows.map((row) => row.id));
}

/** usage_records' columns in the schema's order, which is the order drizzle lists them in an INSERT. */
const COLUMNS = Object.entries(getTableColumns(usageRecords)).map(([key, column]) => ({
  key: key as keyof NewUsageRow,
  fallback: column.hasDefault && !is(column.default, SQL) ? column.default : null,
  /** Its SQL type: element i of a row's JSON array is read as text and cast to it. */
  type: column.getSQLType(),
}));
const SELECT_LIST = sql.raw(COLUMNS.map((column, i) => `(row->>${i})::${column.type}`).join(', '));

/**
 * Inserts the rows; those whose request_id is already stored are skipped. Returns only the rows
 * really inserted, which is what may be charged to the ledger. Rows go in request_id order so two
 * batches that overlap (a redelivery racing its original) lock index entries in the same order
 * and cannot deadlock.
 *
 * The batch travels as ONE JSON parameter, each row an array of its column values in the
 * table's order: a VALUES list of 1,000 rows × 19 parameters, or an object per row for
 * json_populate_recordset, cost the gateway's process more CPU than the rest of the drain — and
 * held its event loop for milliseconds (profiled under `npm run bench`). PostgreSQL reads it as
 * jsonb, parsed once: as json, each of the row's ~20 `->>` reparsed the row's text (`npm run
 * bench:drain`: PostgreSQL + Redis CPU per record 54.5 µs as json, 40–46.5 µs as jsonb). Only the
 * request ids come back: the caller already holds the rows.
 */
export async function insertUsageRows<Row extends NewUsageRow>(tx: Executor, rows: readonly Row[]): Promise<Row[]> {
  const sorted = [...rows].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  const slices: string[] = [];
  for (let i = 0; i < sorted.length; i += SLICE) {
    if (i > 0) await nextTurn();
    slices.push(JSON.stringify(sorted.slice(i, i + SLICE).map((row) => COLUMNS.map(({ key, fallback }) => row[key] ?? fallback))).slice(1, -1));
  }
  const json = `[${slices.join(',')}]`;
  const inserted = await tx
    .insert(usageRecords)
    .select(sql`select ${SELECT_LIST} from jsonb_array_elements(${json}::jsonb) as row`)
    .onConflictDoNothing({ target: usageRecords.requestId })
    .returning({ requestId: usageRecords.requestId });
  const ids = new Set(inserted.map((row) => row.requestId));
  return sorted.filter((row) => ids.has(row.requestId));
}

/**
 * last_used_at = greatest(last_used_at, latest use) for each key, in one UPDATE. The keys are
 * locked in id order first: concurrent drains touching the same keys then queue up instead of
 * deadlocking.
 */
export async function touchKeysLastUsed(tx: Executor, lastUsed: ReadonlyMap<string, Date>): Promise<void> {
  if (lastUsed.size === 0) return;
  const ids = [...lastUsed.keys()].sort();
  await tx.select({ id: apiKeys.id }).from(apiKeys).where(inArray(apiKeys.id, ids)).orderBy(apiKeys.id).for('update');
  const values = sql.join(
    ids.map((id) => sql`(${id}::text, ${lastUsed.get(id)!.toISOString()}::timestamptz)`),
    sql`, `,
  );
  await tx.execute(sql`
    update ${apiKeys} set last_used_at = greatest(${apiKeys.lastUsedAt}, used.at)
    from (values ${values}) as used(id, at)
    where ${apiKeys.id} = used.id`);
}
