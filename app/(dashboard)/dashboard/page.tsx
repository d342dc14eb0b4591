import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { databaseTarget } from '@/db';
import { requireUser } from '@/lib/auth/session';
import { redisBackend } from '@/lib/redis/client';

export const metadata: Metadata = { title: 'Overview' };

const databaseLabel = { postgres: 'PostgreSQL (DATABASE_URL)', embedded: 'Embedded PGlite', memory: 'In-memory PGlite' };
const redisLabel = {
  upstash: 'Upstash Redis (REST)',
  redis: 'Redis (REDIS_URL)',
  embedded: 'Embedded in-process store',
};

export default async function OverviewPage() {
  const user = await requireUser();
  const database = databaseTarget();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Welcome{user.name ? `, ${user.name}` : ''}</h1>
        <p className="mt-1 text-sm text-zinc-600">Signed in as {user.email}.</p>
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
