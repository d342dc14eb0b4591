import { Table } from '@/components/ui/table';
import type { CreditKind } from '@/db/schema';
import { formatDollars } from '@/lib/money';

const kindLabel: Record<CreditKind, string> = {
  trial_grant: 'Trial credit',
  purchase: 'Purchase',
  auto_top_up: 'Automatic top-up',
  refund: 'Refund',
  dispute: 'Dispute',
  adjustment: 'Adjustment',
  usage: 'API usage',
};

export interface HistoryRow {
  id: string;
  kind: CreditKind;
  amountMicros: number;
  receiptUrl: string | null;
  createdAt: Date;
  /** Usage is summed per UTC day. */
  day: string | null;
}

/** The ledger, newest first: every movement of credit, with Stripe's receipt for payments. */
export function HistoryTable({ rows }: { rows: HistoryRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-zinc-600">No credit movements yet.</p>;
  return (
    <Table columns={['Date (UTC)', 'What', 'Amount', 'Receipt']}>
      {rows.map((row) => (
        <tr key={row.id} data-testid="ledger-row">
          <td className="px-4 py-3 whitespace-nowrap text-zinc-600">{row.day ?? row.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td>
          <td className="px-4 py-3">{row.day ? `${kindLabel[row.kind]} (day total)` : kindLabel[row.kind]}</td>
          <td className={`px-4 py-3 text-right font-mono ${row.amountMicros < 0 ? 'text-zinc-700' : 'text-green-700'}`}>
            {row.amountMicros > 0 ? '+' : ''}
            {formatDollars(row.amountMicros)}
          </td>
          <td className="px-4 py-3">
            {row.receiptUrl ? (
              <a href={row.receiptUrl} target="_blank" rel="noreferrer" className="text-brand-700 hover:underline">
                Receipt
              </a>
            ) : null}
          </td>
        </tr>
      ))}
    </Table>
  );
}
