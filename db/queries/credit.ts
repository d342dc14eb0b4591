import 'server-only';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../open';
import { creditLedger, organizations, type CreditKind } from '../schema';
import type { Executor } from './usage';

export interface NewLedgerEntry {
  id: string;
  userId: string;
  kind: CreditKind;
  amountMicros: number;
  reference: string;
  receiptUrl?: string | null;
}

/** Inserts the entry unless one with the same (kind, reference) exists; true when inserted. */
export async function insertLedgerEntry(db: Database, entry: NewLedgerEntry): Promise<boolean> {
  const inserted = await db
    .insert(creditLedger)
    .values(entry)
    .onConflictDoNothing({ target: [creditLedger.kind, creditLedger.reference] })
    .returning({ id: creditLedger.id });
  return inserted.length > 0;
}

/** The drain's 'usage' debits. References are unique per batch, so a conflict is a bug: let it fail. */
export async function insertLedgerEntries(tx: Executor, entries: NewLedgerEntry[]): Promise<void> {
  if (entries.length > 0) await tx.insert(creditLedger).values(entries);
}

// sum(bigint) is numeric; bigint comes back as a string from postgres.js and a number or bigint
// from PGlite, so everything goes through Number() (exact: balances stay far below 2^53 micros).
const balance = sql<number>`coalesce(sum(${creditLedger.amountMicros}), 0)::bigint`.mapWith(Number);

/** The account's balance according to the ledger (the truth; Redis holds the hot copy). */
export async function sumLedger(db: Database, userId: string): Promise<number> {
  const [row] = await db.select({ balance }).from(creditLedger).where(eq(creditLedger.userId, userId));
  return row?.balance ?? 0;
}

/**
 * The balance, and in the same snapshot the ids of recent entries other than usage — the ones
 * whose grant may still be about to touch Redis (lib/billing/credit.ts explains) — and whether
 * the account still exists (a deleted one has no ledger left: its balance is not zero, it is gone).
 */
export async function ledgerSnapshot(
  db: Database,
  userId: string,
  recentSeconds: number,
): Promise<{ balance: number; recentGrantIds: string[]; accountExists: boolean }> {
  const [row] = await db
    .select({
      accountExists: sql<boolean>`exists (select 1 from ${organizations} where ${organizations.id} = ${userId})`,
      balance,
      recent: sql<string[] | null>`array_agg(${creditLedger.id}) filter (where ${and(
        ne(creditLedger.kind, 'usage'),
        sql`${creditLedger.createdAt} > now() - make_interval(secs => ${recentSeconds}::double precision)`,
      )})`,
    })
    .from(creditLedger)
    .where(eq(creditLedger.userId, userId));
  return { balance: row?.balance ?? 0, recentGrantIds: row?.recent ?? [], accountExists: row?.accountExists === true };
}
