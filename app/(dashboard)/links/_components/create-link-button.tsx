'use client';

import { createContext, useActionState, useContext, useState } from 'react';
import { Modal } from '@/components/modal';
import { ShowOnceDialog } from '@/components/show-once-dialog';
import { Button } from '@/components/ui/button';
import { createLinkAction, type LinkFormState } from '../actions';
import { emptyLinkFormValues, presetUpstream } from '../link-form-values';
import type { PresetOption } from '../preset-options';
import { LinkForm } from './link-form';
import { LinkSnippets } from './link-snippets';

interface Settings {
  presets: readonly PresetOption[];
  base: string;
  proxyDomain: string | null;
  proxyHost: string | null;
}

const OpenCreateLink = createContext<() => void>(() => {});

/**
 * Holds the "create link" flow above the page's content, so the show-once dialog survives the
 * page re-rendering with the new link (the empty state, and its button, disappear then). Each
 * opening mounts a fresh flow and closing unmounts it, dropping the token from memory.
 */
export function CreateLinkProvider({ children, ...settings }: Settings & { children: React.ReactNode }) {
  const [run, setRun] = useState(0);
  const [open, setOpen] = useState(false);
  const start = () => {
    setRun((n) => n + 1);
    setOpen(true);
  };
  return (
    <OpenCreateLink.Provider value={start}>
      {children}
      {open ? <CreateLinkFlow key={run} settings={settings} onClose={() => setOpen(false)} /> : null}
    </OpenCreateLink.Provider>
  );
}

export function CreateLinkButton({ label = 'Create link' }: { label?: string }) {
  const open = useContext(OpenCreateLink);
  return (
    <Button type="button" onClick={open}>
      {label}
    </Button>
  );
}

function CreateLinkFlow({ settings, onClose }: { settings: Settings; onClose: () => void }) {
  const [state, action, pending] = useActionState<LinkFormState, FormData>(createLinkAction, {});
  const created = state.created;
  if (created) {
    return (
      <ShowOnceDialog title="Link created" label="Access token" noun="token" secret={created.token} onClose={onClose}>
        <p className="text-sm text-zinc-600">
          Browsers send this token in <code className="text-xs">X-Access-Token</code>; the real secret stays in Conduit.
        </p>
        <LinkSnippets context={{ base: settings.base, proxyDomain: settings.proxyDomain, proxyHost: settings.proxyHost, ...created }} />
      </ShowOnceDialog>
    );
  }
  const preset = emptyLinkFormValues.preset;
  const initial = { ...emptyLinkFormValues, upstream: presetUpstream(settings.presets.find((p) => p.value === preset)?.defaults ?? null, '') };
  return (
    <Modal title="Create a link" onCancel={onClose} wide>
      <LinkForm mode="create" presets={settings.presets} initial={initial} state={state} action={action} pending={pending} submitLabel="Create" onCancel={onClose} />
    </Modal>
  );
}
