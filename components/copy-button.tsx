'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';

/**
 * Copies `value` to the clipboard. navigator.clipboard exists only in secure contexts (HTTPS or
 * localhost); elsewhere the button says so, and the value stays selectable for Ctrl+C.
 */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('Clipboard unavailable');
      await navigator.clipboard.writeText(value);
      setStatus('copied');
    } catch {
      setStatus('failed');
    }
    setTimeout(() => setStatus('idle'), 2_000);
  }

  return (
    <Button type="button" variant="secondary" onClick={copy} aria-live="polite">
      {status === 'copied' ? 'Copied' : status === 'failed' ? 'Copy failed — select and press Ctrl+C' : label}
    </Button>
  );
}
