/**
 * The dashboard shows usage in the viewer's time zone (spend limit windows stay UTC: see
 * lib/limits/windows.ts). The browser's zone arrives in a cookie (TIME_ZONE_COOKIE) and is only
 * ever used if Intl knows it, so it is safe to pass to PostgreSQL's AT TIME ZONE as a parameter.
 */
export const TIME_ZONE_COOKIE = 'tz';

export function validTimeZone(value: string | undefined | null): string {
  if (!value || value.length > 64) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/** Minutes to add to UTC to get local time in `tz` at `instant`. */
function offsetMinutes(instant: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((local - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** The instant local midnight of `date` (YYYY-MM-DD) happens in `tz`. */
export function startOfLocalDay(date: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let instant = guess - offsetMinutes(guess, tz) * 60_000;
  // Near a DST change the offset at the guess can differ from the offset at the answer.
  instant = guess - offsetMinutes(instant, tz) * 60_000;
  return new Date(instant);
}

/** The local calendar date (YYYY-MM-DD) of an instant in `tz`. */
export function localDate(instant: Date, tz: string): string {
  let format = dateFormats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    // Only zones Intl knows get here (validTimeZone), a few hundred at most.
    dateFormats.set(tz, format);
  }
  return format.format(instant);
}

/** A formatter per zone: building one costs more than formatting hundreds of dates (the usage page buckets 720 hours). */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The next calendar date after YYYY-MM-DD. */
export function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
