import type { PresentedKey } from '../../_components/keys-table';
import { formatTime, resetLabel, spendLabel } from '../../format';

const windows = [
  ['day', 'Today'],
  ['week', 'This week'],
  ['month', 'This month'],
] as const;

/** Spend per UTC window against its limit, and when each window starts over. */
export function SpendSummary({ spending }: { spending: PresentedKey['spending_limits'] }) {
  return (
    <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-3">
      {windows.map(([window, label]) => {
        const spend = spending[window];
        return (
          <div key={window} data-testid={`spend-${window}`}>
            <dt className="text-zinc-500">{label}</dt>
            <dd className="text-base font-medium">{spendLabel(spend.spent, spend.limit)}</dd>
            <dd className="text-xs text-zinc-500" title={formatTime(spend.resets_at)}>
              {resetLabel(window, spend.resets_at)}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
