'use client';

import { useActionState } from 'react';
import { LinkForm } from '../../_components/link-form';
import { updateLinkAction, type LinkFormState } from '../../actions';
import type { LinkFormValues } from '../../link-form-values';
import type { PresetOption } from '../../preset-options';

/**
 * The link's settings. The form remounts when the saved version changes (`version`), so it
 * shows what was stored — normalised URLs and origins, an emptied secret box — while the
 * "Saved." message, held here, stays.
 */
export function EditLinkForm({ initial, version, presets }: { initial: LinkFormValues; version: string; presets: readonly PresetOption[] }) {
  const [state, action, pending] = useActionState<LinkFormState, FormData>(updateLinkAction, {});
  return (
    <LinkForm key={version} mode="update" presets={presets} initial={initial} state={state} action={action} pending={pending} submitLabel="Save changes" />
  );
}
