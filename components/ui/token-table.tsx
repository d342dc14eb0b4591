import type { ReactNode } from 'react';

interface TokenListItem {
  id: string;
  name: string;
  start: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Access tokens listed by their visible start only, each with its action (revoke); the empty text otherwise. */
export function TokenTable<T extends TokenListItem>({
  label,
  tokens,
  formatTime,
  empty,
  action,
}: {
  label: string;
  tokens: readonly T[];
  formatTime: (date: Date | null) => string;
  empty: ReactNode;
  action: (token: T) => ReactNode;
}) {
  if (tokens.length === 0) return <p className="text-sm text-zinc-600">{empty}</p>;
  return (
    <div className="relative overflow-x-auto">
      <table aria-label={label} className="min-w-full text-sm">
        <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
          <tr>
            <th scope="col" className="py-2 pr-4">Name</th>
            <th scope="col" className="py-2 pr-4">Token</th>
            <th scope="col" className="py-2 pr-4">Created</th>
            <th scope="col" className="py-2 pr-4">Last used</th>
            <th scope="col" className="py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {tokens.map((token) => (
            <tr key={token.id} className="align-top">
              <th scope="row" className="py-2 pr-4 text-left font-medium">{token.name}</th>
              <td className="py-2 pr-4 font-mono">{token.start}…</td>
              <td className="py-2 pr-4 whitespace-nowrap">{formatTime(token.createdAt)}</td>
              <td className="py-2 pr-4 whitespace-nowrap">{formatTime(token.lastUsedAt)}</td>
              <td className="py-2 text-right">{action(token)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
