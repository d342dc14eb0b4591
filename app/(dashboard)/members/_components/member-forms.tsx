'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage } from '@/components/ui/form-message';
import { SelectField } from '@/components/ui/select-field';
import type { MembersFormState } from '../actions';

type Action = (prev: MembersFormState, formData: FormData) => Promise<MembersFormState>;

const ROLE_OPTIONS = [
  { value: 'viewer', label: 'Viewer — sees keys, links, usage and billing' },
  { value: 'developer', label: 'Developer — also manages keys, links and their own tokens' },
  { value: 'admin', label: 'Admin — also billing, alerts, members and the audit log' },
] as const;

/** One button (with hidden fields) that runs an action and says what happened next to it. */
export function ActionButton({
  action,
  fields,
  label,
  variant = 'secondary',
  confirm,
}: {
  action: Action;
  fields: Record<string, string>;
  label: string;
  variant?: 'primary' | 'secondary' | 'danger';
  /** Asked before submitting (a native confirm), for what cannot be undone. */
  confirm?: string;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form
      action={formAction}
      className="inline-flex flex-col items-start gap-1"
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Button type="submit" variant={variant} disabled={pending} className="px-3 py-1 text-xs">
        {label}
      </Button>
      {state.error ? <span role="alert" className="text-xs text-red-700">{state.error}</span> : null}
      {state.success ? <span role="status" className="text-xs text-green-800">{state.success}</span> : null}
    </form>
  );
}

export function RoleForm({ action, userId, role, email }: { action: Action; userId: string; role: string; email: string }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select id={`role-${userId}`} name="role" defaultValue={role} className="rounded-md border border-zinc-300 px-2 py-1 text-sm">
        <option value="viewer">Viewer</option>
        <option value="developer">Developer</option>
        <option value="admin">Admin</option>
      </select>
      <Button type="submit" variant="secondary" disabled={pending} className="px-3 py-1 text-xs">
        Change role
      </Button>
      {state.error ? <span role="alert" className="text-xs text-red-700">{state.error}</span> : null}
      {state.success ? <span role="status" className="text-xs text-green-800">{state.success}</span> : null}
    </form>
  );
}

export function InviteForm({ action }: { action: Action }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="space-y-4">
      <FormMessage error={state.error} success={state.success} />
      <Field label="Email address" name="email" type="email" required autoComplete="off" defaultValue={state.values?.email ?? ''} key={`email-${state.values?.email ?? ''}`} />
      <SelectField label="Role" name="role" options={ROLE_OPTIONS} defaultValue={state.values?.role || 'developer'} key={`role-${state.values?.role ?? ''}`} />
      <Button type="submit" disabled={pending}>
        {pending ? 'Sending…' : 'Send invitation'}
      </Button>
    </form>
  );
}

/** A one-field form (rename, create, confirm-by-typing delete). */
export function TextActionForm({
  action,
  name,
  label,
  submit,
  defaultValue = '',
  variant = 'primary',
  hint,
}: {
  action: Action;
  name: string;
  label: string;
  submit: string;
  defaultValue?: string;
  variant?: 'primary' | 'danger';
  hint?: string;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="space-y-4">
      <FormMessage error={state.error} success={state.success} />
      <Field label={label} name={name} hint={hint} required defaultValue={state.values?.[name] ?? defaultValue} autoComplete="off" />
      <Button type="submit" variant={variant} disabled={pending}>
        {submit}
      </Button>
    </form>
  );
}
