'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { revokeTokenAction, type TokenFormState } from '../tokens-actions';

/** Revoke, after a second click: programs using the token get 401 from then on. */
export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const [state, action, pending] = useActionState<TokenFormState, FormData>(revokeTokenAction, {});
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Button type="button" variant="secondary" aria-label={`Revoke ${name}`} onClick={() => setConfirming(true)}>
        Revoke
      </Button>
    );
  }
  return (
    <form action={action} className="flex flex-wrap items-center justify-end gap-2">
      <input type="hidden" name="id" value={tokenId} />
      <span className="text-sm text-red-700">{state.errors?.form ?? `Revoke ${name}? Programs using it stop working.`}</span>
      <Button type="submit" variant="danger" disabled={pending}>
        {pending ? 'Revoking…' : 'Yes, revoke'}
      </Button>
      <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
    </form>
  );
}
