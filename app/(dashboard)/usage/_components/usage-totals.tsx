import { formatDollars } from '@/lib/money';
import type { UsageReport } from '@/lib/usage/report';

const count = (n: number) => n.toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? '—' : `${n.toLocaleString('en-US')} ms`);

/** The range's totals, above the charts. */
export function UsageTotals({ totals }: { totals: UsageReport['totals'] }) {
  const items: [string, string][] = [
    ['Spend', formatDollars(totals.costMicros, { maxDecimals: totals.costMicros >= 1_000_000 ? 2 : 4 })],
    ['Requests', count(totals.requests)],
    ['Error rate', totals.requests === 0 ? '—' : `${((totals.errors / totals.requests) * 100).toFixed(1)} %`],
    ['Tokens in / out', `${count(totals.inputTokens)} / ${count(totals.outputTokens)}`],
    ['Latency p50 / p95', `${ms(totals.p50)} / ${ms(totals.p95)}`],
  ];
  return (
    <dl className="grid grid-cols-2 gap-4 rounded-lg border border-zinc-200 bg-white p-4 text-sm shadow-sm sm:grid-cols-5">
      {items.map(([label, value]) => (
        <div key={label} data-testid={`total-${label.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`}>
          <dt className="text-zinc-500">{label}</dt>
          <dd className="text-base font-semibold">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
