import Link from 'next/link';
import type { TopItem } from '@/db/queries/overview';
import { formatDollars } from '@/lib/money';

const count = new Intl.NumberFormat('en-US');

/** A short ranking of keys or links by spend, each a link to its page. */
export function TopList({ items, hrefOf, empty, testId }: { items: TopItem[]; hrefOf: (id: string) => string; empty: string; testId: string }) {
  if (items.length === 0) return <p className="text-sm text-zinc-500">{empty}</p>;
  return (
    <ol className="divide-y divide-zinc-100 text-sm" data-testid={testId}>
      {items.map((item) => (
        <li key={item.id} className="flex items-baseline justify-between gap-3 py-2">
          <Link href={hrefOf(item.id)} className="min-w-0 truncate font-medium text-brand-700 hover:underline">
            {item.name}
          </Link>
          <span className="shrink-0 text-right text-zinc-600 tabular-nums">
            <span className="font-medium text-zinc-900">{formatDollars(item.costMicros)}</span> · {count.format(item.requests)}{' '}
            {item.requests === 1 ? 'request' : 'requests'}
          </span>
        </li>
      ))}
    </ol>
  );
}
