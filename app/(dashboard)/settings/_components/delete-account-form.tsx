'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { deleteAccountAction, type SettingsFormState } from '../actions';

export function DeleteAccountForm({ email }: { email: string }) {
  const [state, action, pending] = useActionState<SettingsFormState, FormData>(deleteAccountAction, {});
  const [typed, setTyped] = useState('');
  return (
    <form action={action} className="max-w-sm space-y-4">
      <p className="text-sm text-zinc-600">
        This deletes your account and everything in it. It cannot be undone. Type <strong>{email}</strong> to confirm.
      </p>
      <Field
        label="Your email"
        name="confirmEmail"
        autoComplete="off"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        error={state.errors?.confirmEmail}
      />
      <Button type="submit" variant="danger" disabled={pending || typed.trim().toLowerCase() !== email}>
        {pending ? 'Deleting…' : 'Delete my account'}
      </Button>
    </form>
  );
}
