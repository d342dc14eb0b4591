'use client';

import { useActionState, useState } from 'react';
import { Button } from '@/components/ui/button';

/** What a revoke action may answer: the link actions say `error`, the settings ones `errors.form`. */
interface RevokeState {
  error?: string;
  errors?: { form?: string };
}

/**
 * Revoke a token after a second click — irreversible, so it asks first. Used for management
 * tokens and for links' access tokens; `fields` are the hidden inputs the action reads.
 */
export function ConfirmRevokeButton<S extends RevokeState>({
  action: revoke,
  fields,
  name,
  consequence,
}: {
  action: (previous: S, formData: FormData) => Promise<S>;
  fields: Record<string, string>;
  name: string;
  consequence: string;
}) {
  const [state, action, pending] = useActionState<S, FormData>(revoke, {} as Awaited<S>);
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
      {Object.entries(fields).map(([field, value]) => (
        <input key={field} type="hidden" name={field} value={value} />
      ))}
      <span className="text-sm text-red-700">{state.error ?? state.errors?.form ?? `Revoke ${name}? ${consequence}`}</span>
      <Button type="submit" variant="danger" disabled={pending}>
        {pending ? 'Revoking…' : 'Yes, revoke'}
      </Button>
      <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
        Cancel
      </Button>
    </form>
  );
}
