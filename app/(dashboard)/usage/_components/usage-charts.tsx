'use client';

import { StackedBarChart, TimeLineChart } from '@/components/charts/time-series-chart';
import { ChartCard } from '@/components/charts/chart-card';
import { compact, dollars, milliseconds, PALETTE, percent, STATUS_COLOURS } from '@/components/charts/format';
import type { UsageReport } from '@/lib/usage/report';

const STATUS_SERIES = ['2xx', '3xx', '4xx', '5xx'].map((id) => ({ id, label: id, colour: STATUS_COLOURS[id]! }));

/** The five charts of the usage page. Data comes shaped from lib/usage/report.ts. */
export function UsageCharts({ report, timeZone }: { report: Omit<UsageReport, 'options'>; timeZone: string }) {
  const spendSeries = report.groups.map((g, i) => ({ ...g, colour: PALETTE[i % PALETTE.length]! }));
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartCard title="Spend" testId="chart-spend">
        <StackedBarChart data={report.spend} series={spendSeries} timeZone={timeZone} format={dollars} />
      </ChartCard>
      <ChartCard title="Requests by status" testId="chart-requests">
        <StackedBarChart data={report.requests} series={STATUS_SERIES} timeZone={timeZone} format={compact} />
      </ChartCard>
      <ChartCard title="Tokens in / out" testId="chart-tokens">
        <TimeLineChart
          data={report.tokens}
          series={[
            { id: 'input', label: 'Input', colour: PALETTE[0]! },
            { id: 'output', label: 'Output', colour: PALETTE[1]! },
          ]}
          timeZone={timeZone}
          format={compact}
        />
      </ChartCard>
      <ChartCard title="Latency p50 / p95" testId="chart-latency">
        <TimeLineChart
          data={report.latency}
          series={[
            { id: 'p50', label: 'p50', colour: PALETTE[2]! },
            { id: 'p95', label: 'p95', colour: PALETTE[5]! },
          ]}
          timeZone={timeZone}
          format={milliseconds}
        />
      </ChartCard>
      <ChartCard title="Error rate" testId="chart-errors">
        <TimeLineChart data={report.errorRate} series={[{ id: 'rate', label: 'Error rate', colour: PALETTE[5]! }]} timeZone={timeZone} format={percent} />
      </ChartCard>
    </div>
  );
}
