'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { PASSWORD_RULE } from '@/lib/auth/credentials-schema';
import { changePasswordAction, type SettingsFormState } from '../actions';

export function ChangePasswordForm({ hasPassword }: { hasPassword: boolean }) {
  const [state, action, pending] = useActionState<SettingsFormState, FormData>(changePasswordAction, {});
  return (
    // key resets the inputs after a success so passwords do not linger in the form
    <form key={state.success} action={action} className="max-w-sm space-y-4" noValidate>
      <FormMessage error={state.errors?.form} success={state.success} />
      {hasPassword ? (
        <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={state.errors?.currentPassword} />
      ) : (
        <input type="hidden" name="currentPassword" value="-" />
      )}
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" hint={PASSWORD_RULE} error={state.errors?.newPassword} />
      <Field label="Repeat new password" name="confirmPassword" type="password" autoComplete="new-password" error={state.errors?.confirmPassword} />
      <Button type="submit" disabled={pending}>
        {pending ? 'Saving…' : hasPassword ? 'Change password' : 'Set password'}
      </Button>
    </form>
  );
}
