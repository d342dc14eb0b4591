'use client';

import { useActionState } from 'react';
import { resendVerificationAction, type ResendState } from '../verification-actions';

/** Asks an unverified account to verify; buying credit (and inviting members) waits for it. */
export function VerifyEmailBanner({ email }: { email: string }) {
  const [state, action, pending] = useActionState<ResendState>(resendVerificationAction, {});
  return (
    <div role="status" data-testid="verify-email-banner" className="border-b border-sky-200 bg-sky-50">
      <form action={action} className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-2 gap-y-1 px-6 py-2 text-sm text-sky-900">
        <span>
          Please verify your email address, <strong>{email}</strong>: follow the link we sent you. Buying credit needs a verified address.
        </span>
        <button type="submit" disabled={pending} className="font-medium underline disabled:opacity-60">
          {pending ? 'Sending…' : 'Resend the link'}
        </button>
        {state.success ? <span>{state.success}</span> : null}
        {state.error ? <span className="text-red-700">{state.error}</span> : null}
      </form>
    </div>
  );
}
