import 'server-only';
import { cookies } from 'next/headers';
import { resolveFilters } from './filters';
import { loadUsageReport } from './report';
import { TIME_ZONE_COOKIE, validTimeZone } from './time-zone';

/** The last 30 days of one key or one link, by day in the viewer's zone, for their own pages. */
export async function subjectUsage(userId: string, subject: { key: string } | { link: string }) {
  const timeZone = validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value);
  const filters = resolveFilters({ range: '30d', group: 'none', granularity: 'day', ...subject }, timeZone);
  const { spend, requests, totals, groups } = await loadUsageReport(userId, filters);
  // Ungrouped: one spend series.
  return { spend, spendSeries: groups[0]!.id, requests, totals, timeZone };
}
