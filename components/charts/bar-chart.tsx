'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bucketLabel } from './format';

export interface BarSeries {
  id: string;
  label: string;
  colour: string;
}

/** Bars per time bucket, stacked when there are several series (spend by group, requests by status). */
export function StackedBarChart({
  data,
  series,
  timeZone,
  format,
}: {
  data: Record<string, string | number | null>[];
  series: BarSeries[];
  timeZone: string;
  format: (value: number) => string;
}) {
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 224 }}>
      <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="bucket" tickFormatter={(b: string) => bucketLabel(b, timeZone)} tick={{ fontSize: 11 }} minTickGap={24} />
        <YAxis tickFormatter={format} tick={{ fontSize: 11 }} width={64} />
        <Tooltip labelFormatter={(b) => bucketLabel(String(b), timeZone)} formatter={(value) => format(Number(value))} />
        {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
        {series.map((s) => (
          <Bar key={s.id} dataKey={s.id} name={s.label} stackId="stack" fill={s.colour} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
