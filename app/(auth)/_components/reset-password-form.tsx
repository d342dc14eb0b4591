'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { PASSWORD_RULE } from '@/lib/auth/credentials-schema';
import { resetPasswordAction, type PasswordFormState } from '../password-actions';

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<PasswordFormState, FormData>(resetPasswordAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage error={state.errors?.form} />
      <input type="hidden" name="token" value={token} />
      <Field label="New password" name="password" type="password" autoComplete="new-password" hint={PASSWORD_RULE} error={state.errors?.password} required />
      <Field label="Repeat new password" name="confirmPassword" type="password" autoComplete="new-password" error={state.errors?.confirmPassword} required />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Saving…' : 'Set new password'}
      </Button>
    </form>
  );
}
