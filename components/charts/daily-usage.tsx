'use client';

import { StackedBarChart } from './time-series-chart';
import { ChartCard } from './chart-card';
import { compact, dollars, PALETTE, STATUS_COLOURS } from './format';

/** The per-key and per-link pages' charts: daily spend and requests by status over 30 days. */
export function DailyUsageCharts({
  spend,
  spendSeries,
  requests,
  timeZone,
}: {
  spend: Record<string, string | number>[];
  /** The property of `spend` holding the amounts. */
  spendSeries: string;
  requests: Record<string, string | number>[];
  timeZone: string;
}) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartCard title="Spend per day" testId="chart-spend">
        <StackedBarChart data={spend} series={[{ id: spendSeries, label: 'Spend', colour: PALETTE[0]! }]} timeZone={timeZone} format={dollars} />
      </ChartCard>
      <ChartCard title="Requests per day" testId="chart-requests">
        <StackedBarChart
          data={requests}
          series={['2xx', '4xx', '5xx'].map((id) => ({ id, label: id, colour: STATUS_COLOURS[id]! }))}
          timeZone={timeZone}
          format={compact}
        />
      </ChartCard>
    </div>
  );
}
