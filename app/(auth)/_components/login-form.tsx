'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { loginAction, type AuthFormState } from '../actions';

/** `next`: where to go once signed in (a path on this site, e.g. back to an invitation). */
export function LoginForm({ next, email }: { next?: string; email?: string }) {
  const [state, action, pending] = useActionState<AuthFormState, FormData>(loginAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <FormMessage error={state.errors?.form} />
      <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={state.email ?? email} error={state.errors?.email} required />
      <Field label="Password" name="password" type="password" autoComplete="current-password" error={state.errors?.password} required />
      <p className="-mt-2 text-right text-sm">
        <Link href="/forgot-password" className="text-brand-600 hover:underline">
          Forgot your password?
        </Link>
      </p>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Logging in…' : 'Log in'}
      </Button>
      <p className="text-center text-sm text-zinc-600">
        No account yet?{' '}
        <Link href="/signup" className="font-medium text-brand-600 hover:underline">
          Sign up
        </Link>
      </p>
    </form>
  );
}
