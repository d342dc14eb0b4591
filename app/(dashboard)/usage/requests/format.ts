import { formatDollars } from '@/lib/money';

/** How the request log writes its cells (server-rendered, in the viewer's time zone). */

export function requestTime(value: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(value);
}

export const cost = (micros: number) => formatDollars(micros);
export const count = (n: number) => n.toLocaleString('en-US');

export function statusTone(status: number): string {
  if (status >= 500) return 'bg-red-50 text-red-700';
  if (status >= 400) return 'bg-amber-50 text-amber-800';
  return 'bg-emerald-50 text-emerald-700';
}
