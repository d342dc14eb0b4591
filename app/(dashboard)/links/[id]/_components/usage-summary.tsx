import type { EndUserUsage, UsageFigures } from '@/db/queries/link-usage';
import { formatBytes, formatCount, formatLatency, USAGE_DAYS } from '../../format';

function totals(usage: UsageFigures): [string, string][] {
  return [
    ['Requests', formatCount(usage.requests)],
    ['Errors', formatCount(usage.errors)],
    ['Median latency', formatLatency(usage.p50LatencyMs)],
    ['Bytes in / out', `${formatBytes(usage.requestBytes)} / ${formatBytes(usage.responseBytes)}`],
    ['Tokens in / out', `${formatCount(usage.inputTokens)} / ${formatCount(usage.outputTokens)}`],
  ];
}

/** The link's last 30 days: totals, then its busiest end users (those named by JWTs). */
export function UsageSummary({ usage, endUsers }: { usage: UsageFigures; endUsers: EndUserUsage[] }) {
  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-5" aria-label={`Usage in the last ${USAGE_DAYS} days`}>
        {totals(usage).map(([label, value]) => (
          <div key={label} data-testid={`usage-${label.toLowerCase().replaceAll(/[^a-z]+/g, '-')}`}>
            <dt className="text-zinc-500">{label}</dt>
            <dd className="text-base font-medium">{value}</dd>
          </div>
        ))}
      </dl>
      {endUsers.length > 0 ? (
        <div className="relative overflow-x-auto">
          <table aria-label="Top end users" className="min-w-full text-sm">
            <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
              <tr>
                {['End user', 'Requests', 'Errors', 'Median latency', 'Bytes in / out', 'Tokens in / out'].map((label) => (
                  <th key={label} scope="col" className="py-2 pr-4">{label}</th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {endUsers.map((row) => (
                <tr key={row.endUser}>
                  <th scope="row" className="max-w-48 truncate py-2 pr-4 text-left font-mono text-xs font-normal">{row.endUser}</th>
                  <td className="py-2 pr-4">{formatCount(row.requests)}</td>
                  <td className="py-2 pr-4">{formatCount(row.errors)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{formatLatency(row.p50LatencyMs)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{`${formatBytes(row.requestBytes)} / ${formatBytes(row.responseBytes)}`}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{`${formatCount(row.inputTokens)} / ${formatCount(row.outputTokens)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-zinc-600">No end users yet: they appear when the link verifies end-user JWTs and they make requests.</p>
      )}
    </div>
  );
}
