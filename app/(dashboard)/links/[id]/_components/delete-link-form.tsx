'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { deleteLinkAction, type LinkActionState } from '../../actions';

/** Delete: typing the link's name is the confirmation, checked again on the server. */
export function DeleteLinkForm({ linkId, name }: { linkId: string; name: string }) {
  const [state, action, pending] = useActionState<LinkActionState, FormData>(deleteLinkAction, {});
  const [typed, setTyped] = useState('');
  return (
    <form action={action} className="max-w-sm space-y-4">
      <FormMessage error={state.error} />
      <input type="hidden" name="id" value={linkId} />
      <p className="text-sm text-zinc-600">
        The link stops forwarding at once, its access tokens stop working and its stored secret is erased. Its usage
        history is kept. Type <strong>{name}</strong> to confirm.
      </p>
      <Field label="Link name" name="confirmName" autoComplete="off" value={typed} onChange={(event) => setTyped(event.target.value)} />
      <Button type="submit" variant="danger" disabled={pending || typed.trim() !== name}>
        {pending ? 'Deleting…' : 'Delete link'}
      </Button>
    </form>
  );
}
