import type { ManagementTokenRow } from '@/db/schema';
import { CreateTokenForm } from './create-token-form';
import { RevokeTokenButton } from './revoke-token-button';

const utc = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
const when = (date: Date | null) => (date ? `${utc.format(date)} UTC` : 'never');

/** Tokens for the management API (/api/v1/keys): listed by their visible start only. */
export function ManagementTokens({ tokens, apiUrl }: { tokens: ManagementTokenRow[]; apiUrl: string }) {
  return (
    <div className="space-y-6">
      <p className="text-sm text-zinc-600">
        Programs use these tokens to manage API keys through <code className="text-xs">{apiUrl}</code>. A token can do
        everything you can do with keys, so keep it secret and revoke it when it is no longer needed.
      </p>
      {tokens.length > 0 ? (
        <div className="overflow-x-auto">
          <table aria-label="Management tokens" className="min-w-full text-sm">
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
                  <td className="py-2 pr-4 whitespace-nowrap">{when(token.createdAt)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{when(token.lastUsedAt)}</td>
                  <td className="py-2 text-right">
                    <RevokeTokenButton tokenId={token.id} name={token.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-zinc-600">No management tokens yet.</p>
      )}
      <CreateTokenForm apiUrl={apiUrl} />
    </div>
  );
}
