'use client';

import { useActionState } from 'react';
import { updateKeyAction, type KeyFormState } from '../../actions';
import { KeyForm, type KeyFormValues } from '../../_components/key-form';

/**
 * The key's settings. The form remounts when the saved version changes (`version`), so it shows
 * what was stored — normalised ranges, deduplicated lists — while the "Saved." message, held
 * here, stays.
 */
export function EditKeyForm({ initial, version }: { initial: KeyFormValues; version: string }) {
  const [state, action, pending] = useActionState<KeyFormState, FormData>(updateKeyAction, {});
  return <KeyForm key={version} mode="update" initial={initial} state={state} action={action} pending={pending} submitLabel="Save changes" />;
}
