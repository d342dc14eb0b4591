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
            {spend.limit !== null && spend.limit > 0 ? <LimitBar spent={spend.spent} limit={spend.limit} /> : null}
            <dd className="text-xs text-zinc-500" title={formatTime(spend.resets_at)}>
              {resetLabel(window, spend.resets_at)}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** How much of the limit is used: amber from 80 %, red at the limit (where alerts fire too). */
function LimitBar({ spent, limit }: { spent: number; limit: number }) {
  const share = Math.min(1, spent / limit);
  const colour = share >= 1 ? 'bg-red-600' : share >= 0.8 ? 'bg-amber-500' : 'bg-brand-600';
  return (
    <dd className="my-1 h-1.5 w-full overflow-hidden rounded bg-zinc-100" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)} aria-label="Share of the limit used">
      <div className={`h-full ${colour}`} style={{ width: `${share * 100}%` }} />
    </dd>
  );
}
