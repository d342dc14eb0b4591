// GET /api/ready — can this instance serve? PostgreSQL, Redis, migrations, usage drain; 503 when not.
import { readiness } from '@/lib/health/readiness';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const report = await readiness();
  return Response.json(report, { status: report.ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
