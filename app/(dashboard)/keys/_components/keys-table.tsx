import Link from 'next/link';
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

/** The account's keys: only the visible start of each secret, never more. */
export function KeysTable({ keys }: { keys: PresentedKey[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-zinc-200 text-sm">
        <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500 uppercase">
          <tr>
            <th scope="col" className="px-4 py-3">Name</th>
            <th scope="col" className="px-4 py-3">Key</th>
            <th scope="col" className="px-4 py-3">Status</th>
            <th scope="col" className="px-4 py-3">Rate limits</th>
            <th scope="col" className="px-4 py-3">Spend today</th>
            <th scope="col" className="px-4 py-3">Spend this month</th>
            <th scope="col" className="px-4 py-3">Last used</th>
            <th scope="col" className="px-4 py-3">Expires</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {keys.map((key) => (
            <tr key={key.id} className="align-top">
              <th scope="row" className="px-4 py-3 text-left font-medium">
                <Link href={`/keys/${key.id}`} className="text-brand-700 hover:underline">
                  {key.name}
                </Link>
                {key.description ? <div className="max-w-48 truncate text-xs font-normal text-zinc-500">{key.description}</div> : null}
              </th>
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
        </tbody>
      </table>
    </div>
  );
}
