import Link from 'next/link';
import { StatusBadge } from '../../keys/_components/status-badge';
import { formatCount } from '../format';

export interface LinkListItem {
  id: string;
  name: string;
  description: string | null;
  presetLabel: string;
  upstreamBaseUrl: string;
  status: 'active' | 'disabled';
  tokens: number;
  requests: number;
  errors: number;
}

/** The account's links with their last 30 days of traffic. Secrets never appear here, not even in part. */
export function LinksTable({ links }: { links: LinkListItem[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-zinc-200 text-sm">
        <thead className="bg-zinc-50 text-left text-xs font-medium text-zinc-500 uppercase">
          <tr>
            <th scope="col" className="px-4 py-3">Name</th>
            <th scope="col" className="px-4 py-3">Preset</th>
            <th scope="col" className="px-4 py-3">Upstream</th>
            <th scope="col" className="px-4 py-3">Status</th>
            <th scope="col" className="px-4 py-3">Tokens</th>
            <th scope="col" className="px-4 py-3">Requests (30 days)</th>
            <th scope="col" className="px-4 py-3">Errors (30 days)</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {links.map((link) => (
            <tr key={link.id} className="align-top">
              <th scope="row" className="px-4 py-3 text-left font-medium">
                <Link href={`/links/${link.id}`} className="text-brand-700 hover:underline">
                  {link.name}
                </Link>
                {link.description ? <div className="max-w-48 truncate text-xs font-normal text-zinc-500">{link.description}</div> : null}
              </th>
              <td className="px-4 py-3 whitespace-nowrap">{link.presetLabel}</td>
              <td className="max-w-64 truncate px-4 py-3 font-mono text-xs" title={link.upstreamBaseUrl}>
                {link.upstreamBaseUrl}
              </td>
              <td className="px-4 py-3">
                <StatusBadge status={link.status} />
              </td>
              <td className="px-4 py-3" data-testid="link-tokens">{formatCount(link.tokens)}</td>
              <td className="px-4 py-3" data-testid="link-requests">{formatCount(link.requests)}</td>
              <td className="px-4 py-3" data-testid="link-errors">{formatCount(link.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
