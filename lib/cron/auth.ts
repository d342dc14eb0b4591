import 'server-only';
import { bearerMatches } from '@/lib/security/bearer';

/** Whether an `Authorization` header carries the cron secret — `Bearer <CRON_SECRET>`, exactly what Vercel sends. */
export function isCronAuthorized(header: string | null, secret: string): boolean {
  return bearerMatches(header, secret);
}
