// GET /api/cron/{drain|retention} — background work when no long-lived process runs it (BACKGROUND_JOBS=cron, vercel.json)
import { handleCron } from '@/lib/cron/handler';

export const dynamic = 'force-dynamic';
// Vercel ends the function after this many seconds; CRON_TIME_BUDGET_MS (50 s, at most 55 s) stays under it.
export const maxDuration = 60;

export async function GET(request: Request, context: { params: Promise<{ job: string }> }): Promise<Response> {
  return handleCron(request, (await context.params).job);
}
