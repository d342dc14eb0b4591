import { z } from 'zod';
import { localDate, nextDate, startOfLocalDay } from './time-zone';

/**
 * The usage page's and request log's filters, as they travel in the URL (searchParams). Parsed
 * with zod, leniently: a hand-edited or stale URL falls back to defaults instead of an error page.
 * Pure: the page, the export route and the tests share it.
 */

export const RANGES = ['24h', '7d', '30d', 'custom'] as const;
export const GRANULARITIES = ['hour', 'day'] as const;
export const GROUPS = ['none', 'key', 'link', 'model', 'end_user', 'status'] as const;
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export type UsageGroup = (typeof GROUPS)[number];
export type StatusClassLabel = (typeof STATUS_CLASSES)[number];

const id = z.string().trim().min(1).max(200).optional().catch(undefined);
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(value)))
  .optional()
  .catch(undefined);
const first = (value: unknown) => (Array.isArray(value) ? value[0] : value);
const param = <T extends z.ZodType>(schema: T) => z.preprocess(first, schema);

export const usageFiltersSchema = z.object({
  range: param(z.enum(RANGES).catch('7d')).default('7d'),
  from: param(date),
  to: param(date),
  granularity: param(z.enum(GRANULARITIES).optional().catch(undefined)),
  group: param(z.enum(GROUPS).catch('none')).default('none'),
  key: param(id),
  link: param(id),
  model: param(id),
  endUser: param(id),
  status: param(z.enum(STATUS_CLASSES).optional().catch(undefined)),
  /** Request log: keyset cursor `<created_at ms>.<request id>` of the last row shown. */
  cursor: param(
    z
      .string()
      .regex(/^\d{1,15}\.[^\u0000]{1,200}$/)
      .optional()
      .catch(undefined),
  ),
});
export type UsageFilters = z.infer<typeof usageFiltersSchema>;

export const MAX_CUSTOM_DAYS = 400;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const RANGE_MS = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS } as const;

/** What the queries need: an interval, a bucket size and the dimension filters. */
export interface ResolvedFilters {
  start: Date;
  end: Date;
  granularity: (typeof GRANULARITIES)[number];
  group: UsageGroup;
  timeZone: string;
  keyId?: string;
  linkId?: string;
  model?: string;
  endUser?: string;
  /** 2 … 5 */
  statusClass?: number;
}

/**
 * Preset ranges end now and start on an hour boundary (rollups are hourly): the last 24 hours
 * are 24 full hour buckets, the current one included. Custom ranges are whole local days, from
 * the start of `from` to the end of `to`, in the viewer's time zone.
 */
export function resolveFilters(filters: UsageFilters, timeZone: string, now = new Date()): ResolvedFilters {
  let start: Date;
  let end: Date;
  if (filters.range === 'custom' && filters.from) {
    const to = filters.to && filters.to >= filters.from ? filters.to : localDate(now, timeZone);
    start = startOfLocalDay(filters.from, timeZone);
    end = startOfLocalDay(nextDate(to), timeZone);
    if (end.getTime() - start.getTime() > MAX_CUSTOM_DAYS * DAY_MS) start = new Date(end.getTime() - MAX_CUSTOM_DAYS * DAY_MS);
  } else {
    const range = filters.range === 'custom' ? '7d' : filters.range;
    end = now;
    start = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS - RANGE_MS[range]);
  }
  const long = end.getTime() - start.getTime() > 3 * DAY_MS;
  return {
    start,
    end,
    granularity: filters.granularity ?? (long ? 'day' : 'hour'),
    group: filters.group,
    timeZone,
    keyId: filters.key,
    linkId: filters.link,
    model: filters.model,
    endUser: filters.endUser,
    statusClass: filters.status ? Number(filters.status[0]) : undefined,
  };
}

/** The URL query of `filters` with `changes` applied (undefined removes a parameter). */
export function filtersQuery(filters: Partial<UsageFilters>, changes: Partial<Record<keyof UsageFilters, string | undefined>> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...changes })) {
    if (value !== undefined && value !== '' && !(name === 'range' && value === '7d') && !(name === 'group' && value === 'none')) {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
