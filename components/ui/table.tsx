import Link from 'next/link';
import type { ReactNode } from 'react';

/**
 * A bordered card holding a table: one header row of column names, then the body rows. On a
 * narrow screen the table scrolls inside the card; `relative` keeps screen-reader-only labels
 * (absolutely positioned) inside that scroller instead of widening the page.
 */
export function Table({ columns, children }: { columns: readonly string[]; children: ReactNode }) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-zinc-200 text-sm">
        <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500 uppercase">
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" className="px-4 py-3">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">{children}</tbody>
      </table>
    </div>
  );
}

/** A row's header cell: the name linking to its page, with the description truncated below. */
export function NameCell({ href, name, description }: { href: string; name: string; description: string | null }) {
  return (
    <th scope="row" className="px-4 py-3 text-left font-medium">
      <Link href={href} className="text-brand-700 hover:underline">
        {name}
      </Link>
      {description ? <div className="max-w-48 truncate text-xs font-normal text-zinc-500">{description}</div> : null}
    </th>
  );
}
