'use client';

import { useSyncExternalStore } from 'react';
import { Field } from '@/components/ui/field';

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a datetime-local value in the browser's time zone, to the minute. */
export function isoToLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A datetime-local value ("2027-01-31T18:00", the browser's wall clock) as ISO 8601 with the
 * browser's offset ("2027-01-31T18:00:00+01:00"): the server has no idea what zone the person is
 * in, so the offset must travel with the time. Unparseable input is passed on as typed, for the
 * schema to refuse with its message.
 */
export function localInputToIso(local: string): string {
  const d = new Date(local);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(local) || Number.isNaN(d.getTime())) return local;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${date}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const subscribe = () => () => {};

/**
 * The expiry input, prefilled in the browser's zone. The server cannot know that zone, so it
 * renders the box empty and the browser fills it in after hydration (the `key` swaps inputs).
 * Its name is `expires_local`; the form converts it to `expires_at` when submitting.
 */
export function ExpiryField({ initial, error }: { initial: string | null; error?: string }) {
  const hydrated = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return (
    <Field
      key={hydrated ? 'browser' : 'server'}
      label="Expires"
      name="expires_local"
      type="datetime-local"
      defaultValue={hydrated ? isoToLocalInput(initial) : ''}
      hint="Your local time. Leave empty for a key that never expires."
      error={error}
    />
  );
}
