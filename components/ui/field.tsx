import type { InputHTMLAttributes } from 'react';
import { controlAria, controlClassName, FieldFrame } from './field-frame';

/** A labelled input with its inline error, wired for screen readers (aria-describedby). */
export function Field({
  label,
  name,
  error,
  hint,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string; hint?: string }) {
  return (
    <FieldFrame label={label} name={name} error={error} hint={hint}>
      <input {...controlAria(name, error, hint)} className={controlClassName(error)} {...input} />
    </FieldFrame>
  );
}
