import type { ApiKeyEventRow } from '@/db/schema';
import { describeChanges } from '../audit-changes';
import { formatTime } from '../../format';

const verbs: Record<ApiKeyEventRow['action'], string> = {
  created: 'Created',
  updated: 'Updated',
  regenerated: 'Regenerated',
  disabled: 'Disabled',
  enabled: 'Enabled',
  deleted: 'Deleted',
};

/** Who changed what on the key, newest first. */
export function AuditLog({
  events,
  people,
  tokenNames,
}: {
  events: ApiKeyEventRow[];
  /** The organization's members' addresses by user id. */
  people: Map<string, string>;
  tokenNames: Map<string, string>;
}) {
  const who = (event: ApiKeyEventRow) => {
    if (event.actorTokenId) {
      const name = tokenNames.get(event.actorTokenId);
      return `management token ${event.actorTokenId}${name ? ` (${name})` : ''}`;
    }
    return (event.actorUserId && people.get(event.actorUserId)) ?? 'a former member';
  };

  if (events.length === 0) return <p className="text-sm text-zinc-600">No changes recorded yet.</p>;
  return (
    <table aria-label="Audit log" className="min-w-full text-sm">
      <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
        <tr>
          <th scope="col" className="py-2 pr-4">When</th>
          <th scope="col" className="py-2 pr-4">Action</th>
          <th scope="col" className="py-2 pr-4">Who</th>
          <th scope="col" className="py-2">Changes</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {events.map((event) => (
          <tr key={event.id} className="align-top">
            <td className="py-2 pr-4 whitespace-nowrap">{formatTime(event.createdAt)}</td>
            <td className="py-2 pr-4 font-medium">{verbs[event.action] ?? event.action}</td>
            <td className="py-2 pr-4 break-all">{who(event)}</td>
            <td className="py-2">
              <ul className="space-y-1">
                {describeChanges(event.changes).map((change) => (
                  <li key={change.label}>
                    <span className="text-zinc-500">{change.label}:</span> {change.from} → {change.to}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
