/** A form-level message (success or error) that assistive tech announces. */
export function FormMessage({ error, success }: { error?: string; success?: string }) {
  if (error) {
    return (
      // Focusable so a refused form with no field to go to can take focus here (use-focus-first-error.ts).
      <p role="alert" tabIndex={-1} data-form-summary className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
        {error}
      </p>
    );
  }
  if (success) {
    return (
      <p role="status" className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
        {success}
      </p>
    );
  }
  return null;
}

/**
 * The top of a refused form: its own error if it has one, else how many fields need a change —
 * each says what is wrong next to it, and focus goes to the first (use-focus-first-error.ts).
 */
export function refusalSummary(errors: Partial<Record<string, string>>): string | undefined {
  if (errors.form) return errors.form;
  const count = Object.entries(errors).filter(([field, message]) => field !== 'form' && message).length;
  if (count === 0) return undefined;
  return `Not saved: ${count === 1 ? 'one field needs' : `${count} fields need`} a change, marked below.`;
}
