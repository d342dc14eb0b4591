import { TokenTable } from '@/components/ui/token-table';
import type { LinkTokenRow } from '@/db/schema';
import { formatTime } from '../../../keys/format';
import type { SnippetContext } from '../../snippets';
import { CreateLinkToken } from './create-link-token';
import { ConfirmRevokeButton } from '@/components/confirm-revoke-button';
import { revokeLinkTokenAction } from '../../actions';

/**
 * The link's active access tokens, listed by their visible start only; creating and revoking
 * them only for roles that manage links (the actions refuse the others anyway).
 */
export function TokensSection({ tokens, context, manages }: { tokens: LinkTokenRow[]; context: Omit<SnippetContext, 'token'>; manages: boolean }) {
  return (
    <div className="space-y-6">
      <p className="text-sm text-zinc-600">
        Apps send an access token in <code className="text-xs">X-Access-Token</code>. To rotate without downtime, create a new
        token, ship it to your app, then revoke the old one — both work in the meantime.
      </p>
      <TokenTable
        label="Access tokens"
        tokens={tokens}
        formatTime={formatTime}
        empty="No active access tokens: nothing can call this link until you create one."
        action={(token) =>
          manages ? (
            <ConfirmRevokeButton
              action={revokeLinkTokenAction}
              fields={{ linkId: context.linkId, tokenId: token.id }}
              name={token.name}
              consequence="Apps using it stop working."
            />
          ) : null
        }
      />
      {manages ? <CreateLinkToken context={context} /> : null}
    </div>
  );
}
