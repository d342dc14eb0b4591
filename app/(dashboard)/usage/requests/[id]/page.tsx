import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Card } from '@/components/ui/card';
import { getDb } from '@/db';
import { getRequest } from '@/db/queries/request-log';
import { dimensionNames } from '@/db/queries/usage-analytics';
import { requireMember } from '@/lib/orgs/session';
import { describeAttempts } from '@/lib/usage/attempts';
import { TIME_ZONE_COOKIE, validTimeZone } from '@/lib/usage/time-zone';
import { cost, count, requestTime, statusTone } from '../format';

export const metadata: Metadata = { title: 'Request' };

/** One request: everything its usage record holds. Another account's request is not found. */
export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const { account } = await requireMember('usage.view');
  const { id } = await params;
  const db = await getDb();
  const requestId = safeDecode(id);
  const row = requestId && requestId.length <= 200 ? await getRequest(db, account.id, requestId) : undefined;
  if (!row) notFound();
  const names = await dimensionNames(db, account.id);
  const timeZone = validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value);

  const fields: [string, React.ReactNode][] = [
    ['Time', `${requestTime(row.createdAt, timeZone)} (${timeZone}) · ${row.createdAt.toISOString()}`],
    ['Key', row.keyId ? <Link href={`/keys/${row.keyId}`} className="text-brand-700 hover:underline">{names.keys.get(row.keyId) ?? row.keyId}</Link> : '—'],
    ['Link', row.linkId ? <Link href={`/links/${row.linkId}`} className="text-brand-700 hover:underline">{names.links.get(row.linkId) ?? row.linkId}</Link> : '—'],
    ['End user', row.endUser ?? '—'],
    ['Model', row.model ?? '—'],
    ['Provider', row.provider ?? '—'],
    ['Operation', row.operation ?? '—'],
    ['Error code', row.errorCode ?? '—'],
    ['Streamed', row.stream ? 'yes' : 'no'],
    ['Tokens in (cached) / out', `${count(row.inputTokens)} (${count(row.cachedInputTokens)}) / ${count(row.outputTokens)}`],
    ['Cost', cost(row.costMicros)],
    ['Latency', `${count(row.latencyMs)} ms`],
    ['Time to first token', row.ttftMs === null ? '—' : `${count(row.ttftMs)} ms`],
    ['Bytes in / out', `${count(row.requestBytes)} / ${count(row.responseBytes)}`],
  ];
  // Retries and fallback models, in order; the last is the answer the client got.
  const attempts = describeAttempts(row.attempts);
  if (attempts) fields.push(['Upstream attempts', attempts]);
  return (
    <div className="space-y-6">
      <div>
        <Link href="/usage/requests" className="text-sm text-brand-700 hover:underline">
          ← Request log
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="font-mono text-lg font-semibold break-all">{row.requestId}</h1>
          <span className={`rounded px-2 py-0.5 text-sm font-medium ${statusTone(row.status)}`}>{row.status}</span>
        </div>
      </div>
      <Card title="Request">
        <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2">
          {fields.map(([label, value]) => (
            <div key={label}>
              <dt className="text-zinc-500">{label}</dt>
              <dd className="font-medium break-all">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
