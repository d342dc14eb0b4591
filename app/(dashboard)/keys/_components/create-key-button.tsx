'use client';

import { createContext, useActionState, useContext, useState } from 'react';
import { Modal } from '@/components/modal';
import { ShowOnceDialog } from '@/components/show-once-dialog';
import { Button } from '@/components/ui/button';
import { createKeyAction, type KeyFormState } from '../actions';
import { emptyKeyFormValues, KeyForm } from './key-form';

const OpenCreateKey = createContext<() => void>(() => {});

/**
 * Holds the "create key" flow above the page's content, so the show-once dialog survives the
 * page re-rendering with the new key (the empty state, and its button, disappear at that moment).
 * Each opening mounts a fresh flow and closing unmounts it, dropping the plaintext from memory.
 */
export function CreateKeyProvider({ children }: { children: React.ReactNode }) {
  const [run, setRun] = useState(0);
  const [open, setOpen] = useState(false);
  const start = () => {
    setRun((n) => n + 1);
    setOpen(true);
  };
  return (
    <OpenCreateKey.Provider value={start}>
      {children}
      {open ? <CreateKeyFlow key={run} onClose={() => setOpen(false)} /> : null}
    </OpenCreateKey.Provider>
  );
}

export function CreateKeyButton({ label = 'Create key' }: { label?: string }) {
  const open = useContext(OpenCreateKey);
  return (
    <Button type="button" onClick={open}>
      {label}
    </Button>
  );
}

function CreateKeyFlow({ onClose }: { onClose: () => void }) {
  const [state, action, pending] = useActionState<KeyFormState, FormData>(createKeyAction, {});
  if (state.secret) {
    return <ShowOnceDialog title="API key created" secret={state.secret} onClose={onClose} />;
  }
  return (
    <Modal title="Create an API key" onCancel={onClose} wide>
      <KeyForm
        mode="create"
        initial={emptyKeyFormValues}
        state={state}
        action={action}
        pending={pending}
        submitLabel="Create"
        onCancel={onClose}
      />
    </Modal>
  );
}
