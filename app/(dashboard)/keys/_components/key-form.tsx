'use client';

import { startTransition, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage, refusalSummary } from '@/components/ui/form-message';
import { useFocusFirstError } from '@/components/ui/use-focus-first-error';
import type { KeyFormState } from '../actions';
import { parseKeyForm, type KeyFormErrors } from '../key-form-schema';
import { AccessFields } from './access-fields';
import { ExpiryField, isoToLocalInput, localInputToIso } from './expiry-field';
import { LimitFields } from './limit-fields';
import { TextareaField } from '@/components/ui/textarea-field';

/** What the form shows: everything as typed text, money in dollars ("" = no limit). */
export interface KeyFormValues {
  id?: string;
  name: string;
  description: string;
  allowedModels: string;
  allowedOperations: string[];
  allowedProviders: string[];
  ipAllowlist: string;
  expiresAt: string | null;
  rate: { per_minute: string; per_hour: string; per_day: string };
  spend: { day: string; week: string; month: string };
}

export const emptyKeyFormValues: KeyFormValues = {
  name: '',
  description: '',
  allowedModels: '',
  allowedOperations: [],
  allowedProviders: [],
  ipAllowlist: '',
  expiresAt: null,
  rate: { per_minute: '', per_hour: '', per_day: '' },
  spend: { day: '', week: '', month: '' },
};

/**
 * The create and edit form. It checks the input with the server's own schema before sending
 * (instant, specific messages), and the server action checks again. Submitting goes through
 * onSubmit rather than `action` so a refused form keeps what was typed.
 */
export function KeyForm({
  mode,
  initial,
  state,
  action,
  pending,
  submitLabel,
  onCancel,
}: {
  mode: 'create' | 'update';
  initial: KeyFormValues;
  state: KeyFormState;
  action: (formData: FormData) => void;
  pending: boolean;
  submitLabel: string;
  onCancel?: () => void;
}) {
  const [clientErrors, setClientErrors] = useState<KeyFormErrors | null>(null);
  const errors: KeyFormErrors = clientErrors ?? state.errors ?? {};
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, clientErrors ?? state.errors);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    const local = String(formData.get('expires_local') ?? '');
    formData.delete('expires_local');
    // An untouched expiry is left out of an update, so saving other settings of a key whose
    // expiry has passed (or has seconds the minute-precise input cannot show) keeps it as it is.
    if (mode === 'create' || local !== isoToLocalInput(initial.expiresAt)) {
      formData.set('expires_at', local ? localInputToIso(local) : '');
    }
    const parsed = parseKeyForm(formData, mode);
    if (!parsed.ok) {
      setClientErrors(parsed.errors);
      return;
    }
    setClientErrors(null);
    startTransition(() => action(formData));
  }

  return (
    <form ref={form} method="post" onSubmit={onSubmit} className="space-y-6" noValidate aria-label={mode === 'create' ? 'Create key' : 'Key settings'}>
      <FormMessage error={refusalSummary(errors)} success={clientErrors ? undefined : state.success} />
      {initial.id ? <input type="hidden" name="id" value={initial.id} /> : null}
      <div className="space-y-4">
        <Field label="Name" name="name" defaultValue={initial.name} error={errors.name} autoComplete="off" required />
        <TextareaField
          label="Description"
          name="description"
          rows={2}
          defaultValue={initial.description}
          error={errors.description}
          hint="Optional: what uses this key."
        />
      </div>
      <AccessFields initial={initial} errors={errors} />
      <ExpiryField initial={initial.expiresAt} error={errors.expires_at} />
      <LimitFields initial={initial} errors={errors} />
      <div className="flex justify-end gap-2">
        {onCancel ? (
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </Button>
      </div>
    </form>
  );
}
