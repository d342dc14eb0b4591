import 'server-only';
import { getDb } from '@/db';
import { findUserByEmail } from '@/db/queries/users';
import { MAX_AMOUNT_MICROS, safeParseDollars, type Micros } from '@/lib/money';
import { grantCredit } from './credit';

export type AdjustmentResult =
  | { ok: true; created: boolean; userId: string; amountMicros: Micros }
  | { ok: false; message: string };

/**
 * A manual adjustment by an operator (goodwill credit, a correction): an 'adjustment' row in the
 * ledger, applied to the live balance like any grant. The reference (a ticket id, say) makes it
 * idempotent: running the same command twice adjusts once.
 */
export async function adjustCredit(input: { email: string; dollars: string; reference: string }): Promise<AdjustmentResult> {
  const text = input.dollars.trim();
  const negative = text.startsWith('-');
  const parsed = safeParseDollars(negative ? text.slice(1) : text, MAX_AMOUNT_MICROS);
  if (!parsed.ok) return { ok: false, message: `amount: ${parsed.message}` };
  if (parsed.value === 0) return { ok: false, message: 'amount: must not be zero' };
  if (!input.reference.trim()) return { ok: false, message: 'reference: required (e.g. a ticket id); it keeps a repeated command from adjusting twice' };
  const user = await findUserByEmail(await getDb(), input.email.trim().toLowerCase());
  if (!user) return { ok: false, message: `no account with the email ${input.email}` };
  const amountMicros = negative ? -parsed.value : parsed.value;
  const created = await grantCredit({ userId: user.id, kind: 'adjustment', amountMicros, reference: `manual:${input.reference.trim()}` });
  return { ok: true, created, userId: user.id, amountMicros };
}
