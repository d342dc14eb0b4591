import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Card } from '@/components/ui/card';
import { members } from '@/lib/orgs/members';
import { can } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import { ApiError } from '@/lib/errors';
import { presentKey } from '@/lib/keys/present';
import { getKey, getKeyEvents } from '@/lib/keys/service';
import { readKeySpend } from '@/lib/limits/spend-counters';
import { listTokens } from '@/lib/management/tokens';
import { StatusBadge } from '../_components/status-badge';
import { formatTime } from '../format';
import { AuditLog } from './_components/audit-log';
import { DeleteKeyForm } from './_components/delete-key-form';
import { EditKeyForm } from './_components/edit-key-form';
import { RegenerateButton } from './_components/regenerate-button';
import { SpendSummary } from './_components/spend-summary';
import { DailyUsageCharts } from '@/components/charts/daily-usage';
import { subjectUsage } from '@/lib/usage/subject-usage';
import { ToggleEnabledForm } from '@/components/toggle-enabled-form';
import { setKeyEnabledAction } from '../actions';
import { keyFormValues } from './form-values';

export const metadata: Metadata = { title: 'API key' };

/** Another account's key, a deleted one or a made-up id: all simply not found. */
async function loadKey(userId: string, id: string) {
  try {
    return await getKey(userId, id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
}

export default async function KeyPage({ params }: { params: Promise<{ id: string }> }) {
  const { account } = await requireMember('keys.view');
  const manages = can(account.role, 'keys.manage');
  const { id } = await params;
  const row = await loadKey(account.id, id);
  const [spend, events, tokens, people, usage] = await Promise.all([
    readKeySpend([row]),
    getKeyEvents(account.id, row.id),
    listTokens(account.id),
    members(account.id),
    subjectUsage(account.id, { key: row.id }),
  ]);
  const key = presentKey(row, spend.get(row.id));

  return (
    <div className="space-y-6">
      <div>
        <Link href="/keys" className="text-sm text-brand-700 hover:underline">
          ← API keys
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{key.name}</h1>
          <StatusBadge status={key.status} />
          <code className="rounded bg-zinc-100 px-2 py-0.5 text-sm">{key.start}…</code>
        </div>
        {key.description ? <p className="mt-1 text-sm text-zinc-600">{key.description}</p> : null}
      </div>

      <Card title="Spending">
        <SpendSummary spending={key.spending_limits} />
      </Card>

      <Card title="Last 30 days">
        <DailyUsageCharts spend={usage.spend} spendSeries={usage.spendSeries} requests={usage.requests} timeZone={usage.timeZone} />
        <Link href={`/usage?range=30d&key=${row.id}`} className="mt-3 inline-block text-sm text-brand-700 hover:underline">
          More on the usage page →
        </Link>
      </Card>

      <Card title="Details">
        <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-3">
          {[
            ['Created', formatTime(key.created_at)],
            ['Last used', formatTime(key.last_used_at)],
            ['Expires', formatTime(key.expires_at)],
          ].map(([label, value]) => (
            <div key={label}>
              <dt className="text-zinc-500">{label}</dt>
              <dd className="font-medium">{value}</dd>
            </div>
          ))}
        </dl>
        {manages ? (
          <div className="mt-6 flex flex-wrap gap-2">
            <RegenerateButton keyId={row.id} />
            <ToggleEnabledForm action={setKeyEnabledAction} id={row.id} enabled={row.enabled} noun="key" />
          </div>
        ) : null}
      </Card>

      {manages ? (
        <Card title="Settings">
          <EditKeyForm initial={keyFormValues(row)} version={key.updated_at} />
        </Card>
      ) : null}

      <Card title="Audit log">
        <AuditLog events={events} people={new Map(people.map((p) => [p.userId, p.email]))} tokenNames={new Map(tokens.map((t) => [t.id, t.name]))} />
      </Card>

      {manages ? (
        <Card title="Delete key" className="border-red-200">
          <DeleteKeyForm keyId={row.id} name={row.name} />
        </Card>
      ) : null}
    </div>
  );
}
