import { TokenTable } from '@/components/ui/token-table';
import type { ManagementTokenRow } from '@/db/schema';
import { CreateTokenForm } from './create-token-form';
import { ConfirmRevokeButton } from '@/components/confirm-revoke-button';
import { revokeTokenAction } from '../tokens-actions';

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
      <TokenTable
        label="Management tokens"
        tokens={tokens}
        formatTime={when}
        empty="No management tokens yet."
        action={(token) => (
          <ConfirmRevokeButton action={revokeTokenAction} fields={{ id: token.id }} name={token.name} consequence="Programs using it stop working." />
        )}
      />
      <CreateTokenForm apiUrl={apiUrl} />
    </div>
  );
}
