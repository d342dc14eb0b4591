'use client';

import { useEffect, useId, useRef } from 'react';

/**
 * A native modal <dialog>, open for as long as it is mounted: the parent decides when it shows
 * by rendering it. Escape does not close it — it asks the parent (onCancel), so dialogs that must
 * confirm before closing (the show-once dialog) can do so.
 */
export function Modal({
  title,
  onCancel,
  children,
  wide = false,
}: {
  title: string;
  onCancel: () => void;
  children: React.ReactNode;
  /** Room for a form with columns. */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const mounted = useRef(false);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    mounted.current = true;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      mounted.current = false;
      dialog?.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      onClose={() => {
        // Browsers may close a dialog despite preventDefault (Chrome does on a second Escape
        // without a click in between). While we are mounted the parent still wants it shown:
        // reopen it and let the parent decide, as for Escape. (An already open dialog here is
        // the late event of a close() that a remount has undone, e.g. in Strict Mode.)
        const dialog = ref.current;
        if (!mounted.current || !dialog || dialog.open) return;
        dialog.showModal();
        onCancel();
      }}
      className={`m-auto w-full rounded-lg border border-zinc-200 bg-white p-6 text-zinc-900 shadow-xl backdrop:bg-zinc-950/40 ${wide ? 'max-w-2xl' : 'max-w-lg'}`}
    >
      <h2 id={titleId} className="mb-4 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
