/** How chart axes and tooltips write buckets and values (client side, in the viewer's zone). */

export function bucketLabel(bucket: string, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(bucket)) {
    const [y, m, d] = bucket.split('-').map(Number) as [number, number, number];
    return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
  }
  return new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(bucket),
  );
}

export const dollars = (value: number) =>
  value >= 100 ? `$${Math.round(value).toLocaleString('en-US')}` : `$${value.toFixed(value >= 1 ? 2 : value === 0 ? 0 : 4)}`;
export const compact = (value: number) => new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
export const milliseconds = (value: number) => `${compact(value)} ms`;
export const percent = (value: number) => `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;

/** Distinct, colour-blind-friendly series colours (Okabe–Ito, then greys). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999'];
export const STATUS_COLOURS: Record<string, string> = { '2xx': '#009E73', '3xx': '#56B4E9', '4xx': '#E69F00', '5xx': '#D55E00' };
