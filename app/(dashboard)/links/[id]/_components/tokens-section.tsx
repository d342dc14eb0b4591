import type { LinkTokenRow } from '@/db/schema';
import { formatTime } from '../../../keys/format';
import type { SnippetContext } from '../../snippets';
import { CreateLinkToken } from './create-link-token';
import { RevokeLinkToken } from './revoke-link-token';

/** The link's active access tokens, listed by their visible start only. */
export function TokensSection({ tokens, context }: { tokens: LinkTokenRow[]; context: Omit<SnippetContext, 'token'> }) {
  return (
    <div className="space-y-6">
      <p className="text-sm text-zinc-600">
        Apps send an access token in <code className="text-xs">X-Access-Token</code>. To rotate without downtime, create a new
        token, ship it to your app, then revoke the old one — both work in the meantime.
      </p>
      {tokens.length > 0 ? (
        <div className="overflow-x-auto">
          <table aria-label="Access tokens" className="min-w-full text-sm">
            <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Token</th>
                <th scope="col" className="py-2 pr-4">Created</th>
                <th scope="col" className="py-2 pr-4">Last used</th>
                <th scope="col" className="py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {tokens.map((token) => (
                <tr key={token.id} className="align-top">
                  <th scope="row" className="py-2 pr-4 text-left font-medium">{token.name}</th>
                  <td className="py-2 pr-4 font-mono">{token.start}…</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{formatTime(token.createdAt)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{formatTime(token.lastUsedAt)}</td>
                  <td className="py-2 text-right">
                    <RevokeLinkToken linkId={context.linkId} tokenId={token.id} name={token.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-zinc-600">No active access tokens: nothing can call this link until you create one.</p>
      )}
      <CreateLinkToken context={context} />
    </div>
  );
}
