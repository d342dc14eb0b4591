import type { ReactNode } from 'react';

/** The ids and ARIA attributes a labelled control needs for its inline error or hint. */
export function controlAria(name: string, error?: string, hint?: string) {
  return {
    id: name,
    name,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${name}-error` : hint ? `${name}-hint` : undefined,
  } as const;
}

/** The border classes shared by every labelled control, red when it has an error. */
export function controlClassName(error: string | undefined, extra = '') {
  return `block w-full rounded-md border bg-white px-3 py-2 ${extra}text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500 ${error ? 'border-red-500' : 'border-zinc-300'}`;
}

/** Label above, control, then the inline error (role="alert") or the hint below it. */
export function FieldFrame({
  label,
  name,
  error,
  hint,
  children,
}: {
  label: string;
  name: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={name} className="block text-sm font-medium text-zinc-700">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${name}-error`} role="alert" className="text-sm text-red-600">
          {error}
        </p>
      ) : hint ? (
        <p id={`${name}-hint`} className="text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
