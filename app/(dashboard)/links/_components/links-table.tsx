import { NameCell, Table } from '@/components/ui/table';
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

const COLUMNS = ['Name', 'Preset', 'Upstream', 'Status', 'Tokens', 'Requests (30 days)', 'Errors (30 days)'] as const;

/** The account's links with their last 30 days of traffic. Secrets never appear here, not even in part. */
export function LinksTable({ links }: { links: LinkListItem[] }) {
  return (
    <Table columns={COLUMNS}>
      {links.map((link) => (
        <tr key={link.id} className="align-top">
          <NameCell href={`/links/${link.id}`} name={link.name} description={link.description} />
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
    </Table>
  );
}
