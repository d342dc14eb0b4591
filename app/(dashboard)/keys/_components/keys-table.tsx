import { NameCell, Table } from '@/components/ui/table';
import type { presentKey } from '@/lib/keys/present';
import { formatTime, rateLimitsLabel, resetLabel, spendLabel } from '../format';
import { StatusBadge } from './status-badge';

export type PresentedKey = ReturnType<typeof presentKey>;

function Spend({ window, spend }: { window: 'day' | 'month'; spend: PresentedKey['spending_limits']['day'] }) {
  return (
    <>
      <div className="whitespace-nowrap">{spendLabel(spend.spent, spend.limit)}</div>
      <div className="text-xs whitespace-nowrap text-zinc-500">{resetLabel(window, spend.resets_at)}</div>
    </>
  );
}

const COLUMNS = ['Name', 'Key', 'Status', 'Rate limits', 'Spend today', 'Spend this month', 'Last used', 'Expires'] as const;

/** The account's keys: only the visible start of each secret, never more. */
export function KeysTable({ keys }: { keys: PresentedKey[] }) {
  return (
    <Table columns={COLUMNS}>
      {keys.map((key) => (
        <tr key={key.id} className="align-top">
          <NameCell href={`/keys/${key.id}`} name={key.name} description={key.description} />
          <td className="px-4 py-3 font-mono whitespace-nowrap">{key.start}…</td>
          <td className="px-4 py-3">
            <StatusBadge status={key.status} />
          </td>
          <td className="px-4 py-3 whitespace-nowrap">{rateLimitsLabel(key.rate_limits)}</td>
          <td className="px-4 py-3">
            <Spend window="day" spend={key.spending_limits.day} />
          </td>
          <td className="px-4 py-3">
            <Spend window="month" spend={key.spending_limits.month} />
          </td>
          <td className="px-4 py-3 whitespace-nowrap">{formatTime(key.last_used_at)}</td>
          <td className="px-4 py-3 whitespace-nowrap">{formatTime(key.expires_at)}</td>
        </tr>
      ))}
    </Table>
  );
}
