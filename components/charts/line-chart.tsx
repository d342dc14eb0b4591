'use client';

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bucketLabel } from './format';
import type { BarSeries } from './bar-chart';

/** Lines per time bucket (tokens, latency percentiles, error rate); gaps where there is no data. */
export function TimeLineChart({
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
      <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="bucket" tickFormatter={(b: string) => bucketLabel(b, timeZone)} tick={{ fontSize: 11 }} minTickGap={24} />
        <YAxis tickFormatter={format} tick={{ fontSize: 11 }} width={64} />
        <Tooltip labelFormatter={(b) => bucketLabel(String(b), timeZone)} formatter={(value) => format(Number(value))} />
        {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
        {series.map((s) => (
          <Line key={s.id} dataKey={s.id} name={s.label} stroke={s.colour} dot={false} strokeWidth={2} connectNulls={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
