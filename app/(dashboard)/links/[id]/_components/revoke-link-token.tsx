'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { revokeLinkTokenAction, type LinkActionState } from '../../actions';

/** Revoke, after a second click: apps using the token get 401 from then on. */
export function RevokeLinkToken({ linkId, tokenId, name }: { linkId: string; tokenId: string; name: string }) {
  const [state, action, pending] = useActionState<LinkActionState, FormData>(revokeLinkTokenAction, {});
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
      <input type="hidden" name="linkId" value={linkId} />
      <input type="hidden" name="tokenId" value={tokenId} />
      <span className="text-sm text-red-700">{state.error ?? `Revoke ${name}? Apps using it stop working.`}</span>
      <Button type="submit" variant="danger" disabled={pending}>
        {pending ? 'Revoking…' : 'Yes, revoke'}
      </Button>
      <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
    </form>
  );
}
