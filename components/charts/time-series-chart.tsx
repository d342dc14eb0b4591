'use client';

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bucketLabel } from './format';

export interface ChartSeries {
  id: string;
  label: string;
  colour: string;
}

interface TimeSeriesProps {
  data: Record<string, string | number | null>[];
  series: ChartSeries[];
  timeZone: string;
  format: (value: number) => string;
}

/**
 * Values per time bucket, with the axes, grid, tooltip and legend every usage chart shares: bars
 * (stacked when there are several series) or lines (with gaps where there is no data).
 */
function TimeSeriesChart({ data, series, timeZone, format, kind }: TimeSeriesProps & { kind: 'bars' | 'lines' }) {
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 224 }}>
      <ComposedChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="bucket" tickFormatter={(b: string) => bucketLabel(b, timeZone)} tick={{ fontSize: 11 }} minTickGap={24} />
        <YAxis tickFormatter={format} tick={{ fontSize: 11 }} width={64} />
        <Tooltip labelFormatter={(b) => bucketLabel(String(b), timeZone)} formatter={(value) => format(Number(value))} />
        {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
        {series.map((s) =>
          kind === 'bars' ? (
            <Bar key={s.id} dataKey={s.id} name={s.label} stackId="stack" fill={s.colour} isAnimationActive={false} />
          ) : (
            <Line key={s.id} dataKey={s.id} name={s.label} stroke={s.colour} dot={false} strokeWidth={2} connectNulls={false} isAnimationActive={false} />
          ),
        )}
      </ComposedChart>
    </ResponsiveContainer>
  );
}

/** Spend by group, requests by status class. */
export const StackedBarChart = (props: TimeSeriesProps) => <TimeSeriesChart {...props} kind="bars" />;

/** Tokens, latency percentiles, error rate. */
export const TimeLineChart = (props: TimeSeriesProps) => <TimeSeriesChart {...props} kind="lines" />;
