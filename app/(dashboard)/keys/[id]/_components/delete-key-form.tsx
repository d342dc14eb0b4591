'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { deleteKeyAction, type KeyActionState } from '../../actions';

/** Delete: typing the key's name is the confirmation, checked again on the server. */
export function DeleteKeyForm({ keyId, name }: { keyId: string; name: string }) {
  const [state, action, pending] = useActionState<KeyActionState, FormData>(deleteKeyAction, {});
  const [typed, setTyped] = useState('');
  return (
    <form action={action} className="max-w-sm space-y-4">
      <FormMessage error={state.error} />
      <input type="hidden" name="id" value={keyId} />
      <p className="text-sm text-zinc-600">
        The key stops working at once and cannot be restored. Its usage history is kept. Type <strong>{name}</strong> to
        confirm.
      </p>
      <Field label="Key name" name="confirmName" autoComplete="off" value={typed} onChange={(event) => setTyped(event.target.value)} />
      <Button type="submit" variant="danger" disabled={pending || typed.trim() !== name}>
        {pending ? 'Deleting…' : 'Delete key'}
      </Button>
    </form>
  );
}
