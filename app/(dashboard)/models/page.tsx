import type { Metadata } from 'next';
import { requireMember } from '@/lib/orgs/session';
import { listCatalog } from '@/lib/gateway/model-list';
import { ModelsTable } from './_components/models-table';

export const metadata: Metadata = { title: 'Models' };

// /models — the catalog: prices, context and output sizes, and what this installation serves.
export default async function ModelsPage() {
  await requireMember();
  const models = listCatalog();
  const missing = [...new Set(models.filter((model) => !model.available).map((model) => model.providerLabel))];
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Models</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Every model of the Conduit API, at the prices requests are billed: US dollars per million tokens, drawn from your credit. Context and max
          output are in tokens.
        </p>
      </div>
      {missing.length > 0 ? (
        <p className="rounded-md border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm text-zinc-700" data-testid="models-not-configured">
          Not configured on this installation: {missing.join(', ')}. Their models are not listed by <code>/v1/models</code>, and calls to them
          answer 503 <code>provider_not_configured</code>.
        </p>
      ) : null}
      <ModelsTable models={models} />
    </div>
  );
}
