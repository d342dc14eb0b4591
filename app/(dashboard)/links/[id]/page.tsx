import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Card } from '@/components/ui/card';
import { getDb } from '@/db';
import { linkEndUserUsage, linkUsageTotals, NO_USAGE } from '@/db/queries/link-usage';
import { can } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import { ApiError } from '@/lib/errors';
import { presentLink } from '@/lib/links/present';
import { getLink, listLinkTokens } from '@/lib/links/service';
import { StatusBadge } from '../../keys/_components/status-badge';
import { formatTime } from '../../keys/format';
import { usageSince } from '../format';
import { presetOptions } from '../preset-options';
import { snippetSettings } from '../request-origin';
import { linkBaseUrl, samplePath } from '../snippets';
import { DeleteLinkForm } from './_components/delete-link-form';
import { EditLinkForm } from './_components/edit-link-form';
import { TokensSection } from './_components/tokens-section';
import { ToggleEnabledForm } from '@/components/toggle-enabled-form';
import { setLinkEnabledAction } from '../actions';
import { UsageSummary } from './_components/usage-summary';
import { linkFormValues } from './form-values';
import { DailyUsageCharts } from '@/components/charts/daily-usage';
import { linkMonthRequests } from '@/db/queries/usage-analytics';
import { resetLabel } from '../../keys/format';
import { windowReset } from '@/lib/limits/windows';
import { subjectUsage } from '@/lib/usage/subject-usage';

export const metadata: Metadata = { title: 'Link' };

/** Another account's link, a deleted one or a made-up id: all simply not found. */
async function loadLink(userId: string, id: string) {
  try {
    return await getLink(userId, id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
}

export default async function LinkPage({ params }: { params: Promise<{ id: string }> }) {
  const { account } = await requireMember('links.view');
  const manages = can(account.role, 'links.manage');
  const { id } = await params;
  const row = await loadLink(account.id, id);
  const db = await getDb();
  const since = usageSince();
  const [tokens, totals, endUsers, settings, usage, monthRequests] = await Promise.all([
    listLinkTokens(account.id, row.id),
    linkUsageTotals(db, account.id, [row.id], since),
    linkEndUserUsage(db, account.id, row.id, since),
    snippetSettings(),
    subjectUsage(account.id, { link: row.id }),
    linkMonthRequests(db, account.id, row.id),
  ]);
  const link = presentLink(row);
  const presets = presetOptions();
  const snippetContext = { ...settings, linkId: row.id, preset: row.preset, jwt: row.jwt !== null, samplePath: samplePath(row.preset, row.allowedPaths) };

  return (
    <div className="space-y-6">
      <div>
        <Link href="/links" className="text-sm text-brand-700 hover:underline">
          ← Links
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{link.name}</h1>
          <StatusBadge status={link.status === 'active' ? 'active' : 'disabled'} />
        </div>
        {link.description ? <p className="mt-1 text-sm text-zinc-600">{link.description}</p> : null}
      </div>

      <Card title="Details">
        <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2">
          {[
            ['Proxy URL', `${settings.base}${link.proxy_url}`],
            ['By host', link.host ?? 'not configured (PROXY_DOMAIN)'],
            ['On the proxy host', settings.proxyHost ? linkBaseUrl({ ...settings, linkId: row.id }) : 'not configured (PROXY_HOST)'],
            ['Upstream', link.upstream_base_url],
            ['Secret', link.secret_hint ? `…${link.secret_hint}` : 'stored (too short to show its end)'],
            ['Created', formatTime(link.created_at)],
            ['Updated', formatTime(link.updated_at)],
          ].map(([label, value]) => (
            <div key={label}>
              <dt className="text-zinc-500">{label}</dt>
              <dd className="font-medium break-all" data-testid={`link-${label!.toLowerCase().replaceAll(' ', '-')}`}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
        {manages ? (
          <div className="mt-6 flex flex-wrap gap-2">
            <ToggleEnabledForm action={setLinkEnabledAction} id={row.id} enabled={row.enabled} noun="link" />
          </div>
        ) : null}
      </Card>

      <Card title="Usage (last 30 days)">
        <div className="mb-6 text-sm" data-testid="link-monthly-cap">
          <span className="text-zinc-500">Requests this month: </span>
          <span className="font-medium">
            {monthRequests.toLocaleString('en-US')} / {row.monthlyRequestCap === null ? 'no cap' : row.monthlyRequestCap.toLocaleString('en-US')}
          </span>
          <span className="text-xs text-zinc-500"> · {resetLabel('month', windowReset('month', new Date()))}</span>
        </div>
        <div className="mb-6">
          <DailyUsageCharts spend={usage.spend} spendSeries={usage.spendSeries} requests={usage.requests} timeZone={usage.timeZone} />
        </div>
        <UsageSummary usage={totals.get(row.id) ?? NO_USAGE} endUsers={endUsers} />
      </Card>

      <Card title="Access tokens">
        <TokensSection tokens={tokens} context={snippetContext} manages={manages} />
      </Card>

      {manages ? (
        <>
          <Card title="Settings">
            <EditLinkForm initial={linkFormValues(row)} version={link.updated_at} presets={presets} />
          </Card>

          <Card title="Delete link" className="border-red-200">
            <DeleteLinkForm linkId={row.id} name={row.name} />
          </Card>
        </>
      ) : null}
    </div>
  );
}
