import type { Metadata } from 'next';
import { Card } from '@/components/ui/card';
import { getDb } from '@/db';
import { activeTokenCounts, linkUsageTotals } from '@/db/queries/link-usage';
import { can } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import { PRESET_INFO } from '@/lib/links/presets';
import { listLinks } from '@/lib/links/service';
import { CreateLinkButton, CreateLinkProvider } from './_components/create-link-button';
import { LinksTable, type LinkListItem } from './_components/links-table';
import { usageSince } from './format';
import { presetOptions } from './preset-options';
import { snippetSettings } from './request-origin';

export const metadata: Metadata = { title: 'Links' };

export default async function LinksPage() {
  const { account } = await requireMember('links.view');
  const manages = can(account.role, 'links.manage');
  const rows = await listLinks(account.id);
  const ids = rows.map((row) => row.id);
  const db = await getDb();
  const [usage, tokens, settings] = await Promise.all([linkUsageTotals(db, account.id, ids, usageSince()), activeTokenCounts(db, ids), snippetSettings()]);
  const links: LinkListItem[] = rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    presetLabel: PRESET_INFO[row.preset]?.label ?? row.preset,
    upstreamBaseUrl: row.upstreamBaseUrl,
    status: row.enabled ? 'active' : 'disabled',
    tokens: tokens.get(row.id) ?? 0,
    requests: usage.get(row.id)?.requests ?? 0,
    errors: usage.get(row.id)?.errors ?? 0,
  }));

  return (
    <CreateLinkProvider presets={presetOptions()} {...settings}>
      <div className="space-y-6">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold">Links</h1>
            <p className="mt-1 text-sm text-zinc-600">
              Call third-party APIs from the browser without shipping their keys: a link keeps the key and forwards only the
              paths you allow, from the origins you list.
            </p>
          </div>
          {links.length > 0 && manages ? <CreateLinkButton /> : null}
        </div>
        {links.length > 0 ? (
          <LinksTable links={links} />
        ) : (
          <Card>
            <div className="py-8 text-center">
              <h2 className="text-base font-semibold">No links yet</h2>
              <p className="mx-auto mt-1 mb-4 max-w-md text-sm text-zinc-600">
                Create a link for OpenAI, Anthropic, Stripe or any other API. Your app gets an access token; the API key stays here.
              </p>
              {manages ? <CreateLinkButton label="Create your first link" /> : null}
            </div>
          </Card>
        )}
      </div>
    </CreateLinkProvider>
  );
}
