import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { databaseTarget } from '@/db';
import { formatDollars } from '@/lib/money';
import { requireMember } from '@/lib/orgs/session';
import { redisBackend } from '@/lib/redis/client';
import { loadOverview } from '@/lib/usage/overview';
import { GettingStartedCard } from './_components/getting-started';
import { TopList } from './_components/top-list';

export const metadata: Metadata = { title: 'Overview' };

const databaseLabel = { postgres: 'PostgreSQL (DATABASE_URL)', embedded: 'Embedded PGlite', memory: 'In-memory PGlite' };
const redisLabel = {
  upstash: 'Upstash Redis (REST)',
  redis: 'Redis (REDIS_URL)',
  cluster: 'Redis Cluster (REDIS_CLUSTER_URLS)',
  embedded: 'Embedded in-process store',
};

const count = new Intl.NumberFormat('en-US');

/** The account at a glance: what it spent and served, what it has left, and what to do next. */
export default async function OverviewPage() {
  const { user, account } = await requireMember();
  const { activity, topKeys, topLinks, creditMicros, checklist } = await loadOverview(account.id);
  const database = databaseTarget();
  const host = (await headers()).get('host') ?? 'localhost:3000';
  const errorRate = activity.requests === 0 ? null : activity.errors / activity.requests;

  const stats = [
    { id: 'credit', label: 'Credit', value: formatDollars(creditMicros), href: '/billing' },
    { id: 'spend-day', label: 'Spend today', value: formatDollars(activity.spend.day) },
    { id: 'spend-week', label: 'Spend this week', value: formatDollars(activity.spend.week) },
    { id: 'spend-month', label: 'Spend this month', value: formatDollars(activity.spend.month) },
    { id: 'requests', label: 'Requests, last 24 h', value: count.format(activity.requests), href: '/usage?range=24h' },
    {
      id: 'errors',
      label: 'Errors, last 24 h',
      value: count.format(activity.errors),
      detail: errorRate === null ? undefined : `${(errorRate * 100).toFixed(errorRate > 0 && errorRate < 0.001 ? 2 : 1)} % of requests`,
      href: '/usage?range=24h&group=status',
    },
  ];

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Overview</h1>
        <p className="mt-1 text-sm text-zinc-600">
          {user.name ? `Welcome, ${user.name}. ` : ''}
          {account.name}. Days, weeks (from Monday) and months are UTC, as spending limits count them.
        </p>
      </div>

      <GettingStartedCard checklist={checklist} host={host} />

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Activity">
        {stats.map((stat) => (
          <div key={stat.id} className="min-w-0 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm">
            <dt className="text-xs font-medium text-zinc-500">{stat.href ? <Link href={stat.href} className="hover:underline">{stat.label}</Link> : stat.label}</dt>
            <dd className="mt-1 truncate text-xl font-semibold tabular-nums" data-testid={stat.id === 'credit' ? 'credit-balance' : `overview-${stat.id}`}>
              {stat.value}
            </dd>
            {stat.detail ? <dd className="text-xs text-zinc-500">{stat.detail}</dd> : null}
          </div>
        ))}
      </dl>

      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <Card title="Top keys this month">
          <TopList testId="top-keys" items={topKeys} hrefOf={(id) => `/keys/${id}`} empty="No key has been used this month." />
        </Card>
        <Card title="Top links this month">
          <TopList testId="top-links" items={topLinks} hrefOf={(id) => `/links/${id}`} empty="No link has been used this month." />
        </Card>
      </div>

      <Card title="This installation">
        <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-zinc-500">Database</dt>
            <dd className="font-medium break-words">
              {databaseLabel[database.kind]}
              {database.kind === 'embedded' ? <span className="text-zinc-500"> in {database.dataDir}</span> : null}
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500">Hot state (rate limits, counters)</dt>
            <dd className="font-medium">{redisLabel[redisBackend()]}</dd>
          </div>
        </dl>
      </Card>
    </div>
  );
}
