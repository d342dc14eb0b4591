import type { Metadata } from 'next';
import { headers } from 'next/headers';
import Link from 'next/link';
import { CopyButton } from '@/components/copy-button';
import { Card } from '@/components/ui/card';
import { databaseTarget } from '@/db';
import { requireMember } from '@/lib/orgs/session';
import { loadCreditBalance } from '@/lib/billing/credit';
import { formatDollars } from '@/lib/money';
import { redisBackend } from '@/lib/redis/client';

export const metadata: Metadata = { title: 'Overview' };

const databaseLabel = { postgres: 'PostgreSQL (DATABASE_URL)', embedded: 'Embedded PGlite', memory: 'In-memory PGlite' };
const redisLabel = {
  upstash: 'Upstash Redis (REST)',
  redis: 'Redis (REDIS_URL)',
  cluster: 'Redis Cluster (REDIS_CLUSTER_URLS)',
  embedded: 'Embedded in-process store',
};

export default async function OverviewPage() {
  const { user, account } = await requireMember();
  const database = databaseTarget();
  const credit = await loadCreditBalance(account.id);
  const host = (await headers()).get('host') ?? 'localhost:3000';
  const curl = `curl http://${host}/v1/chat/completions \\
  -H "Authorization: Bearer condt_YOUR_KEY" -H "Content-Type: application/json" \\
  -d '{"model": "conduit/echo", "messages": [{"role": "user", "content": "Hello!"}]}'`;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Welcome{user.name ? `, ${user.name}` : ''}</h1>
        <p className="mt-1 text-sm text-zinc-600">Signed in as {user.email}.</p>
      </div>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <Card title="Credit">
          <p className="text-3xl font-semibold" data-testid="credit-balance">
            {formatDollars(credit)}
          </p>
          <p className="mt-2 text-sm text-zinc-600">Spend on the Conduit API is drawn from this prepaid balance.</p>
        </Card>
        <Card title="Try the Conduit API">
          <p className="text-sm text-zinc-600">
            Create a key on the <Link href="/keys" className="font-medium text-brand-600 hover:underline">API keys</Link> page,
            then call the free offline model <code>conduit/echo</code>:
          </p>
          <pre className="mt-3 overflow-x-auto rounded-md bg-zinc-900 p-3 text-xs text-zinc-100">{curl}</pre>
          <div className="mt-2">
            <CopyButton value={curl} label="Copy command" />
          </div>
        </Card>
      </div>
      <Card title="This installation">
        <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-zinc-500">Database</dt>
            <dd className="font-medium">
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
