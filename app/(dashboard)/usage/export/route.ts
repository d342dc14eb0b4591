// GET /usage/export — the request log as CSV, for the filters in the query string (streamed)
import { cookies } from 'next/headers';
import { requireMember } from '@/lib/orgs/session';
import { exportRequestsCsv } from '@/lib/usage/export';
import { resolveFilters, usageFiltersSchema } from '@/lib/usage/filters';
import { TIME_ZONE_COOKIE, validTimeZone } from '@/lib/usage/time-zone';

export async function GET(request: Request) {
  const { account } = await requireMember('usage.view');
  const filters = usageFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const resolved = resolveFilters(filters, validTimeZone((await cookies()).get(TIME_ZONE_COOKIE)?.value));
  const name = `conduit-requests-${resolved.start.toISOString().slice(0, 10)}-to-${resolved.end.toISOString().slice(0, 10)}.csv`;
  return new Response(exportRequestsCsv(account.id, resolved), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    },
  });
}
