'use client';

import { useActionState, useState } from 'react';
import { ShowOnceDialog } from '@/components/show-once-dialog';
import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { regenerateKeyAction, type KeyActionState } from '../../actions';

/** Regenerate, after a confirmation step; the new secret appears once. */
export function RegenerateButton({ keyId }: { keyId: string }) {
  // A new run per regeneration: closing the dialog unmounts the state holding the plaintext.
  const [run, setRun] = useState(0);
  return <RegenerateFlow key={run} keyId={keyId} onDone={() => setRun((n) => n + 1)} />;
}

function RegenerateFlow({ keyId, onDone }: { keyId: string; onDone: () => void }) {
  const [state, action, pending] = useActionState<KeyActionState, FormData>(regenerateKeyAction, {});
  const [confirming, setConfirming] = useState(false);

  if (state.secret) return <ShowOnceDialog title="API key regenerated" secret={state.secret} onClose={onDone} />;
  if (!confirming) {
    return (
      <Button type="button" variant="secondary" onClick={() => setConfirming(true)}>
        Regenerate key
      </Button>
    );
  }
  return (
    <form action={action} className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-3">
      <FormMessage error={state.error} />
      <input type="hidden" name="id" value={keyId} />
      <p className="text-sm text-amber-900">
        The current secret stops working immediately. Apps using it will fail until they get the new one.
      </p>
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? 'Regenerating…' : 'Yes, regenerate'}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
