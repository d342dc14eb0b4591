'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { verifyEmailAction, type VerifyFormState } from '../verify-actions';

export function VerifyEmailForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<VerifyFormState, FormData>(verifyEmailAction, {});
  return (
    <form action={action} className="space-y-4">
      <FormMessage error={state.error} />
      <input type="hidden" name="token" value={token} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Verifying…' : 'Verify my email address'}
      </Button>
    </form>
  );
}
