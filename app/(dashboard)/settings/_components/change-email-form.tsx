'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import type { SettingsFormState } from '../actions';
import { changeEmailAction } from '../email-actions';

export function ChangeEmailForm({ email, verified, hasPassword }: { email: string; verified: boolean; hasPassword: boolean }) {
  const [state, action, pending] = useActionState<SettingsFormState, FormData>(changeEmailAction, {});
  return (
    <form key={state.success} action={action} className="max-w-sm space-y-4" noValidate>
      <p className="text-sm text-zinc-600">
        Now: <strong data-testid="settings-email">{email}</strong> ({verified ? 'verified' : 'not verified yet'}). A new address takes effect once you
        follow the link we send to it.
      </p>
      <FormMessage error={state.errors?.form} success={state.success} />
      <Field label="New email address" name="newEmail" type="email" autoComplete="email" error={state.errors?.newEmail} />
      {hasPassword ? (
        // Its own name (and so id): the password card below has a "Current password" field too.
        <Field label="Your password, to confirm" name="confirmWithPassword" type="password" autoComplete="current-password" error={state.errors?.confirmWithPassword} />
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? 'Sending…' : 'Change email address'}
      </Button>
    </form>
  );
}
