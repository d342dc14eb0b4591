/** The Markdown bench:usage prints (the README's figures are copied from it). */

export interface Timing {
  name: string;
  query: string;
  /** Sorted, milliseconds. */
  samples: number[];
}

export interface UsageBenchResult {
  records: number;
  rollupRows: number;
  endUserRollupRows: number;
  dailyRollupRows: number;
  totalsRollupRows: number;
  dailyEndUserRows: number;
  seedSeconds: number;
  rollupSeconds: number;
  timings: Timing[];
  /** The bar for a whole page (its queries side by side) and for one query, medians. */
  pageLimitMs: number;
  queryLimitMs: number;
  exports: { rows: number; bytes: number; seconds: number; baseRss: number; rssDelta: number; heapDelta: number; liveDelta?: number }[];
}

export const medianOf = (t: Timing) => t.samples[Math.floor(t.samples.length / 2)]!;
export const isWholePage = (t: Timing) => t.query.startsWith('whole page');
export const limitFor = (r: Pick<UsageBenchResult, 'pageLimitMs' | 'queryLimitMs'>, t: Timing) => (isWholePage(t) ? r.pageLimitMs : r.queryLimitMs);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ms = (value: number) => value.toFixed(1);

export function renderUsageBench(r: UsageBenchResult): string {
  const lines = [
    `${r.records.toLocaleString('en-US')} usage records (one account, 30 days); rollups: ${r.rollupRows.toLocaleString('en-US')} hourly rows + ${r.endUserRollupRows.toLocaleString('en-US')} per end user + ${r.dailyRollupRows.toLocaleString('en-US')} daily + ${r.totalsRollupRows.toLocaleString('en-US')} hourly totals + ${r.dailyEndUserRows.toLocaleString('en-US')} per end user and day.`,
    `Seeded in ${r.seedSeconds.toFixed(1)} s, rollups built in ${r.rollupSeconds.toFixed(1)} s.`,
    '',
    `| view | query | median ms | max ms | under the bar (page < ${r.pageLimitMs} ms, query < ${r.queryLimitMs} ms) |`,
    '| --- | --- | ---: | ---: | :---: |',
  ];
  for (const t of r.timings) {
    const median = medianOf(t);
    lines.push(`| ${t.name} | ${t.query} | ${ms(median)} | ${ms(t.samples.at(-1)!)} | ${median < limitFor(r, t) ? 'yes' : '**no**'} |`);
  }
  lines.push('');
  for (const e of r.exports) {
    lines.push(
      `CSV export: ${e.rows.toLocaleString('en-US')} rows, ${mb(e.bytes)} in ${e.seconds.toFixed(1)} s (${Math.round(e.rows / e.seconds).toLocaleString('en-US')} rows/s); ` +
        `peak RSS +${mb(e.rssDelta)} over ${mb(e.baseRss)}, peak heap +${mb(e.heapDelta)}` +
        (e.liveDelta === undefined ? '.' : `, live heap after collection at most +${mb(e.liveDelta)}.`),
    );
  }
  return lines.join('\n');
}
