'use client';

import { useActionState, useState } from 'react';
import { ShowOnceDialog } from '@/components/show-once-dialog';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { createLinkTokenAction, type LinkActionState } from '../../actions';
import { LinkSnippets } from '../../_components/link-snippets';
import type { SnippetContext } from '../../snippets';

/** Name a token, then see it once with the snippets to call the link. */
export function CreateLinkToken({ context }: { context: Omit<SnippetContext, 'token'> }) {
  // A new run per token: closing the dialog unmounts the state that holds the plaintext.
  const [run, setRun] = useState(0);
  return <CreateLinkTokenRun key={run} context={context} onDone={() => setRun((n) => n + 1)} />;
}

function CreateLinkTokenRun({ context, onDone }: { context: Omit<SnippetContext, 'token'>; onDone: () => void }) {
  const [state, action, pending] = useActionState<LinkActionState, FormData>(createLinkTokenAction, {});
  return (
    <>
      <form action={action} className="flex max-w-md flex-col gap-3 sm:flex-row sm:items-end" aria-label="Create access token">
        <input type="hidden" name="linkId" value={context.linkId} />
        <div className="flex-1">
          <Field label="Token name" name="name" autoComplete="off" placeholder="e.g. Web app, March" error={state.error} />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
      {state.secret ? (
        <ShowOnceDialog title="Access token created" label="Access token" noun="token" secret={state.secret} onClose={onDone}>
          <LinkSnippets context={{ ...context, token: state.secret }} />
        </ShowOnceDialog>
      ) : null}
    </>
  );
}
