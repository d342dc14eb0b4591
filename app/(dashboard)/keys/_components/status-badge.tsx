import type { KeyState } from '@/lib/keys/present';

const styles: Record<KeyState, string> = {
  active: 'bg-green-50 text-green-800 ring-green-600/20',
  disabled: 'bg-zinc-100 text-zinc-700 ring-zinc-500/20',
  expired: 'bg-amber-50 text-amber-800 ring-amber-600/20',
};

export function StatusBadge({ status }: { status: KeyState }) {
  return (
    <span data-testid="key-status" className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium capitalize ring-1 ring-inset ${styles[status]}`}>
      {status}
    </span>
  );
}
