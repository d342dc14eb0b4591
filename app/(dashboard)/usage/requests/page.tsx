import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { Table } from '@/components/ui/table';
import { getDb } from '@/db';
import { decodeCursor, encodeCursor, listRequests } from '@/db/queries/request-log';
import { requireMember } from '@/lib/orgs/session';
import { filtersQuery, resolveFilters, usageFiltersSchema } from '@/lib/usage/filters';
import { filterOptions } from '@/lib/usage/report';
import { TIME_ZONE_COOKIE, validTimeZone } from '@/lib/usage/time-zone';
import { TimeZoneSync } from '../_components/time-zone-sync';
import { UsageFiltersBar } from '../_components/usage-filters';
import { cost, count, requestTime, statusTone } from './format';

export const metadata: Metadata = { title: 'Request log' };

const PAGE_SIZE = 50;
const COLUMNS = ['Time', 'Request', 'Key / link', 'End user', 'Model', 'Status', 'Tokens in / out', 'Cost', 'Latency'] as const;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Individual requests, newest first, a keyset page at a time. */
export default async function RequestLogPage({ searchParams }: { searchParams: SearchParams }) {
  const { account } = await requireMember('usage.view');
  const filters = usageFiltersSchema.parse(await searchParams);
  const timeZone = validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value);
  const resolved = resolveFilters(filters, timeZone);
  const db = await getDb();
  const [rows, options] = await Promise.all([listRequests(db, account.id, resolved, decodeCursor(filters.cursor), PAGE_SIZE + 1), filterOptions(db, account.id, resolved)]);
  const names = options.names;
  const page = rows.slice(0, PAGE_SIZE);
  const next = rows.length > PAGE_SIZE ? encodeCursor(page[page.length - 1]!) : undefined;
  const base = { ...filters, cursor: undefined };

  return (
    <div className="space-y-6">
      <TimeZoneSync rendered={timeZone} />
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <Link href={`/usage${filtersQuery(base)}`} className="text-sm text-brand-700 hover:underline">
            ← Usage
          </Link>
          <h1 className="mt-2 text-2xl font-semibold">Request log</h1>
        </div>
        <a href={`/usage/export${filtersQuery({ ...base, group: undefined })}`} className="text-sm font-medium text-brand-700 hover:underline" download>
          Export CSV
        </a>
      </div>
      <UsageFiltersBar
        filters={filters}
        options={{ keys: options.keys, links: options.links, models: options.models }}
        showGroup={false}
      />
      <p className="text-xs text-zinc-500">Times in {timeZone}.</p>
      {page.length === 0 ? (
        <div className="rounded-lg border border-dashed border-zinc-300 bg-white p-10 text-center text-sm text-zinc-600" data-testid="log-empty">
          {filters.cursor ? 'No more requests.' : 'No requests match these filters.'}
        </div>
      ) : (
        <Table columns={COLUMNS}>
          {page.map((row) => (
            <tr key={row.requestId} data-testid="log-row">
              <td className="px-4 py-2 whitespace-nowrap">{requestTime(row.createdAt, timeZone)}</td>
              <td className="px-4 py-2">
                <Link href={`/usage/requests/${encodeURIComponent(row.requestId)}`} className="font-mono text-xs text-brand-700 hover:underline">
                  {row.requestId.slice(0, 16)}…
                </Link>
              </td>
              <td className="max-w-40 truncate px-4 py-2">
                {row.keyId ? (names.keys.get(row.keyId) ?? row.keyId) : row.linkId ? (names.links.get(row.linkId) ?? row.linkId) : '—'}
              </td>
              <td className="max-w-32 truncate px-4 py-2 font-mono text-xs">{row.endUser ?? '—'}</td>
              <td className="px-4 py-2 whitespace-nowrap">{row.model ?? '—'}</td>
              <td className="px-4 py-2">
                <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusTone(row.status)}`}>{row.status}</span>
              </td>
              <td className="px-4 py-2 whitespace-nowrap">{`${count(row.inputTokens)} / ${count(row.outputTokens)}`}</td>
              <td className="px-4 py-2 whitespace-nowrap">{cost(row.costMicros)}</td>
              <td className="px-4 py-2 whitespace-nowrap">{count(row.latencyMs)} ms</td>
            </tr>
          ))}
        </Table>
      )}
      <div className="flex justify-between text-sm">
        {filters.cursor ? (
          <Link href={`/usage/requests${filtersQuery(base)}`} className="font-medium text-brand-700 hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {next ? (
          <Link href={`/usage/requests${filtersQuery(base, { cursor: next })}`} className="font-medium text-brand-700 hover:underline">
            Older →
          </Link>
        ) : null}
      </div>
    </div>
  );
}
