import type { TextareaHTMLAttributes } from 'react';
import { controlAria, controlClassName, FieldFrame } from './field-frame';

/** A labelled textarea (monospace, 3 rows by default) with its inline error or hint, wired like Field. */
export function TextareaField({
  label,
  name,
  error,
  hint,
  ...textarea
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; error?: string; hint?: string }) {
  return (
    <FieldFrame label={label} name={name} error={error} hint={hint}>
      <textarea
        {...controlAria(name, error, hint)}
        rows={3}
        className={controlClassName(error, 'font-mono ')}
        {...textarea}
      />
    </FieldFrame>
  );
}
