'use client';

import { useActionState, useState } from 'react';
import { ShowOnceDialog } from '@/components/show-once-dialog';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { createTokenAction, type TokenFormState } from '../tokens-actions';

/** Name a token, then see it once with a curl line to try it. */
export function CreateTokenForm({ apiUrl }: { apiUrl: string }) {
  // A new run per token: closing the dialog unmounts the state that holds the plaintext.
  const [run, setRun] = useState(0);
  return <CreateTokenRun key={run} apiUrl={apiUrl} onDone={() => setRun((n) => n + 1)} />;
}

function CreateTokenRun({ apiUrl, onDone }: { apiUrl: string; onDone: () => void }) {
  const [state, action, pending] = useActionState<TokenFormState, FormData>(createTokenAction, {});
  return (
    <>
      <form action={action} className="flex max-w-md flex-col gap-3 sm:flex-row sm:items-end" aria-label="Create management token">
        <div className="flex-1">
          <Field label="Token name" name="name" autoComplete="off" placeholder="e.g. CI deploys" error={state.errors?.name} />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
      <FormMessage error={state.errors?.form} />
      {state.secret ? (
        <ShowOnceDialog title="Management token created" label="Management token" noun="token" secret={state.secret} onClose={onDone}>
          <div className="space-y-1">
            <p className="text-sm font-medium text-zinc-700">Try it:</p>
            <pre data-testid="curl-example" className="overflow-x-auto rounded-md bg-zinc-900 p-3 text-xs text-zinc-100">
              {`curl -H "Authorization: Bearer ${state.secret}" ${apiUrl}`}
            </pre>
          </div>
        </ShowOnceDialog>
      ) : null}
    </>
  );
}
