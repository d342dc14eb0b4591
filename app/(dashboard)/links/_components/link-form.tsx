'use client';

import { startTransition, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { FormMessage, refusalSummary } from '@/components/ui/form-message';
import { useFocusFirstError } from '@/components/ui/use-focus-first-error';
import { TextareaField } from '@/components/ui/textarea-field';
import type { LinkFormState } from '../actions';
import { checkLinkForm } from '../link-form-check';
import { linkFormToInput, type LinkFormErrors } from '../link-form-input';
import type { LinkFormValues } from '../link-form-values';
import type { PresetOption } from '../preset-options';
import { JwtFields } from './jwt-fields';
import { LinkLimitFields } from './link-limit-fields';
import { UpstreamFields } from './upstream-fields';

/**
 * The create and edit form. The browser checks what it can (missing fields, origins) for
 * instant messages; the server action validates everything with the management API's schema.
 * Submitting goes through onSubmit rather than `action` so a refused form keeps what was typed.
 */
export function LinkForm({
  mode,
  presets,
  initial,
  state,
  action,
  pending,
  submitLabel,
  onCancel,
}: {
  mode: 'create' | 'update';
  presets: readonly PresetOption[];
  initial: LinkFormValues;
  state: LinkFormState;
  action: (formData: FormData) => void;
  pending: boolean;
  submitLabel: string;
  onCancel?: () => void;
}) {
  const [clientErrors, setClientErrors] = useState<LinkFormErrors | null>(null);
  const errors: LinkFormErrors = clientErrors ?? state.errors ?? {};
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, clientErrors ?? state.errors);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    const problems = checkLinkForm(linkFormToInput(formData, mode), mode);
    setClientErrors(problems);
    if (!problems) startTransition(() => action(formData));
  }

  return (
    <form ref={form} method="post" onSubmit={onSubmit} className="space-y-6" noValidate aria-label={mode === 'create' ? 'Create link' : 'Link settings'}>
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
          hint="Optional: which app uses this link."
        />
      </div>
      <UpstreamFields mode={mode} presets={presets} initial={initial} errors={errors} />
      <TextareaField
        label="Allowed origins"
        name="allowed_origins"
        defaultValue={initial.allowedOrigins}
        error={errors.allowed_origins}
        placeholder={'https://app.example.com\nhttp://localhost:5173'}
        hint="One per line: the web pages that may call this link from a browser. Others get no CORS grant. Empty = no browser page."
      />
      <JwtFields mode={mode} initial={initial.jwt} errors={errors} />
      <LinkLimitFields initial={initial} errors={errors} />
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
