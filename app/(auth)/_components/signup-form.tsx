'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { PASSWORD_RULE } from '@/lib/auth/credentials-schema';
import { signupAction, type AuthFormState } from '../actions';

/** `next`: where to go once signed in (a path on this site, e.g. back to an invitation). */
export function SignupForm({ next, email }: { next?: string; email?: string }) {
  const [state, action, pending] = useActionState<AuthFormState, FormData>(signupAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <FormMessage error={state.errors?.form} />
      <Field label="Name (optional)" name="name" autoComplete="name" defaultValue={state.name} error={state.errors?.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={state.email ?? email} error={state.errors?.email} required />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint={PASSWORD_RULE}
        error={state.errors?.password}
        required
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Creating account…' : 'Create account'}
      </Button>
      <p className="text-center text-sm text-zinc-600">
        Already have an account?{' '}
        <Link href="/login" className="font-medium text-brand-600 hover:underline">
          Log in
        </Link>
      </p>
    </form>
  );
}
