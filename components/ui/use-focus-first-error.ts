'use client';

import { useEffect, type RefObject } from 'react';

// A control marked invalid (Field, SelectField, TextareaField), or a group of checkboxes whose
// fieldset points at its error.
const INVALID = '[aria-invalid="true"], fieldset[aria-describedby$="-error"]';

/**
 * After a refused submit, takes the person to the first field in error, in the order they see
 * them: in a long dialog the messages would otherwise appear out of sight and nothing visible
 * would change. `refusal` is the errors object of the latest refused submit (the browser's check
 * or the server's); each refusal is a new object, so submitting the same mistake twice moves
 * there again. With no field to go to (an error for the whole form), the summary at the top —
 * marked `data-form-summary` — is focused instead.
 */
export function useFocusFirstError(form: RefObject<HTMLFormElement | null>, refusal: object | null | undefined) {
  useEffect(() => {
    if (!refusal || Object.keys(refusal).length === 0) return;
    const root = form.current;
    const found = root?.querySelector<HTMLElement>(INVALID) ?? root?.querySelector<HTMLElement>('[data-form-summary]');
    if (!found) return;
    const target = found instanceof HTMLFieldSetElement ? (found.querySelector<HTMLElement>('input, select, textarea') ?? found) : found;
    // Centred rather than at the edge, so the label above and the message below show too.
    found.scrollIntoView({ block: 'center' });
    target.focus({ preventScroll: true });
  }, [form, refusal]);
}
