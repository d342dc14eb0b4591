import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { getDb } from '@/db';
import { listAuditEntries } from '@/db/queries/organizations';
import { requireMember } from '@/lib/orgs/session';

export const metadata: Metadata = { title: 'Audit log' };

const utc = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' });

/** The organization's last 200 recorded actions, newest first (lib/orgs/audit.ts writes them). */
export default async function AuditPage() {
  const { account } = await requireMember('audit.view');
  const entries = await listAuditEntries(await getDb(), account.id, 200);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Audit log of {account.name}</h1>
      <Card>
        {entries.length === 0 ? (
          <p className="text-sm text-zinc-600">Nothing recorded yet.</p>
        ) : (
          <div className="relative overflow-x-auto">
            <table aria-label="Audit log" className="min-w-full text-sm">
              <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-4">When (UTC)</th>
                  <th scope="col" className="py-2 pr-4">Who</th>
                  <th scope="col" className="py-2 pr-4">Action</th>
                  <th scope="col" className="py-2">On</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {entries.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                    <td className="py-2 pr-4 whitespace-nowrap">{utc.format(entry.createdAt)}</td>
                    <td className="py-2 pr-4 break-all">
                      {entry.actorEmail ?? 'a former member'}
                      {entry.actorTokenId ? <span className="text-xs text-zinc-500"> via token {entry.actorTokenId}</span> : null}
                    </td>
                    <td className="py-2 pr-4 font-mono text-xs">{entry.action}</td>
                    <td className="py-2 font-mono text-xs break-all">{entry.target ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
