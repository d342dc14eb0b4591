import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { requireMember } from '@/lib/orgs/session';
import { filtersQuery, resolveFilters, usageFiltersSchema } from '@/lib/usage/filters';
import { loadUsageReport } from '@/lib/usage/report';
import { TIME_ZONE_COOKIE, validTimeZone } from '@/lib/usage/time-zone';
import { TimeZoneSync } from './_components/time-zone-sync';
import { UsageCharts } from './_components/usage-charts';
import { UsageFiltersBar } from './_components/usage-filters';
import { UsageTotals } from './_components/usage-totals';

export const metadata: Metadata = { title: 'Usage' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Spend, traffic, tokens, latency and errors over time, from the hourly rollups. */
export default async function UsagePage({ searchParams }: { searchParams: SearchParams }) {
  const { account } = await requireMember('usage.view');
  const filters = usageFiltersSchema.parse(await searchParams);
  const timeZone = validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value);
  const resolved = resolveFilters(filters, timeZone);
  const { options, ...report } = await loadUsageReport(account.id, resolved);
  const query = filtersQuery({ ...filters, group: undefined, granularity: undefined });

  return (
    <div className="space-y-6">
      <TimeZoneSync rendered={timeZone} />
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Usage</h1>
        <div className="flex gap-4 text-sm">
          <Link href={`/usage/requests${query}`} className="font-medium text-brand-700 hover:underline">
            Request log
          </Link>
          <a href={`/usage/export${query}`} className="font-medium text-brand-700 hover:underline" download>
            Export CSV
          </a>
        </div>
      </div>
      <UsageFiltersBar filters={filters} options={options} />
      <p className="text-xs text-zinc-500">
        Times in {timeZone}. Spending limits reset at 00:00 UTC.
        {resolved.group === 'end_user' || resolved.endUser ? ' Only requests that name an end user are counted.' : ''}
      </p>
      <UsageTotals totals={report.totals} />
      {report.totals.requests === 0 ? (
        <div className="rounded-lg border border-dashed border-zinc-300 bg-white p-10 text-center" data-testid="usage-empty">
          <p className="font-medium">No usage in this range</p>
          <p className="mt-1 text-sm text-zinc-600">
            Requests through your <Link href="/keys" className="text-brand-700 hover:underline">API keys</Link> and{' '}
            <Link href="/links" className="text-brand-700 hover:underline">links</Link> appear here within a few seconds.
          </p>
        </div>
      ) : (
        <UsageCharts report={report} timeZone={timeZone} />
      )}
    </div>
  );
}
