'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { FormMessage } from '@/components/ui/form-message';
import { confirmEmailChangeAction, verifyEmailAction, type VerifyFormState } from '../verify-actions';

/** One button that uses an emailed link's token: verifying the address, or confirming a new one. */
export function VerifyEmailForm({ token, purpose = 'verify', label = 'Verify my email address' }: { token: string; purpose?: 'verify' | 'change'; label?: string }) {
  const [state, action, pending] = useActionState<VerifyFormState, FormData>(purpose === 'change' ? confirmEmailChangeAction : verifyEmailAction, {});
  return (
    <form action={action} className="space-y-4">
      <FormMessage error={state.error} />
      <input type="hidden" name="token" value={token} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Confirming…' : label}
      </Button>
    </form>
  );
}
