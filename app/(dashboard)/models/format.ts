import { formatDollars, type Micros } from '@/lib/money';
import { OPERATION_LABELS, type Operation } from '@/lib/keys/schema';

/** The models page's cells, in words: prices in dollars per 1M tokens, sizes in whole tokens. */

/** A price per 1M tokens; "—" where the model produces no such tokens (embeddings have no output). */
export function pricePerMillion(micros: Micros, applies = true): string {
  if (!applies) return '—';
  return micros === 0 ? 'Free' : formatDollars(micros);
}

export const tokens = (count: number): string => (count === 0 ? '—' : count.toLocaleString('en-US'));

export const operationsLabel = (operations: readonly Operation[]): string => operations.map((op) => OPERATION_LABELS[op]).join(', ');
