import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { can } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import { presentKey } from '@/lib/keys/present';
import { listKeys } from '@/lib/keys/service';
import { readKeySpend } from '@/lib/limits/spend-counters';
import { CreateKeyButton, CreateKeyProvider } from './_components/create-key-button';
import { KeysTable } from './_components/keys-table';

export const metadata: Metadata = { title: 'API keys' };

export default async function KeysPage() {
  const { account } = await requireMember('keys.view');
  // Roles without keys.manage see the keys, not the buttons (the services refuse them anyway).
  const manages = can(account.role, 'keys.manage');
  const rows = await listKeys(account.id);
  const spend = await readKeySpend(rows);
  const now = new Date();
  const keys = rows.map((row) => presentKey(row, spend.get(row.id), now));

  return (
    <CreateKeyProvider>
      <div className="space-y-6">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold">API keys</h1>
            <p className="mt-1 text-sm text-zinc-600">
              Keys for the Conduit API, each with its own models, limits and spending caps. Spend windows reset at 00:00 UTC.
            </p>
          </div>
          {keys.length > 0 && manages ? <CreateKeyButton /> : null}
        </div>
        {keys.length > 0 ? (
          <KeysTable keys={keys} />
        ) : (
          <Card>
            <div className="py-8 text-center">
              <h2 className="text-base font-semibold">No API keys yet</h2>
              <p className="mx-auto mt-1 mb-4 max-w-md text-sm text-zinc-600">
                {manages
                  ? 'Create your first key to call the Conduit API. You choose what it may use and how much it may spend.'
                  : 'Owners, admins and developers of this organization create keys.'}
              </p>
              {manages ? <CreateKeyButton label="Create your first key" /> : null}
            </div>
          </Card>
        )}
      </div>
    </CreateKeyProvider>
  );
}
