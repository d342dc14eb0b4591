'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { CopyButton } from './copy-button';
import { Modal } from './modal';

/**
 * Shows a new secret exactly once. The plaintext lives only in this component's props (from a
 * server action's return value): when the parent unmounts it, it is gone for good. Closing —
 * by button or Escape — first asks for confirmation, inside the dialog.
 */
export function ShowOnceDialog({
  title,
  secret,
  label = 'API key',
  noun = 'key',
  onClose,
  children,
}: {
  title: string;
  secret: string;
  label?: string;
  /** What the secret is called in the warnings: "key", "token". */
  noun?: string;
  onClose: () => void;
  children?: React.ReactNode;
}) {
  const [confirming, setConfirming] = useState(false);
  const inputId = useId();

  return (
    <Modal title={title} onCancel={() => setConfirming(true)}>
      <div className="space-y-4">
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Copy this {noun} now. You won&apos;t be able to see it again.
        </p>
        <div className="space-y-1">
          <label htmlFor={inputId} className="block text-sm font-medium text-zinc-700">
            {label}
          </label>
          <div className="flex gap-2">
            <input
              id={inputId}
              readOnly
              value={secret}
              onFocus={(event) => event.currentTarget.select()}
              className="block w-full min-w-0 rounded-md border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-sm"
            />
            <CopyButton value={secret} />
          </div>
        </div>
        {children}
        {confirming ? (
          <div className="space-y-3 rounded-md border border-red-200 bg-red-50 p-3">
            <p className="text-sm text-red-800">You won&apos;t see this {noun} again. Close?</p>
            <div className="flex gap-2">
              <Button type="button" variant="danger" onClick={onClose}>
                Yes, close
              </Button>
              <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
                Go back
              </Button>
            </div>
          </div>
        ) : (
          <div className="flex justify-end">
            <Button type="button" onClick={() => setConfirming(true)}>
              Done
            </Button>
          </div>
        )}
      </div>
    </Modal>
  );
}
