import 'server-only';
import { getDb } from '@/db';
import { linkRequestsCounted } from '@/db/queries/link-cap';
import type { LinkRecord } from '@/lib/links/record';
import { untilNextWindow } from '@/lib/limits/admission';
import { consumeRequest, type Counter } from '@/lib/limits/request-counters';
import { RATE_PERIOD_MS, RATE_PERIODS, windowId, windowReset, windowStart, type RatePeriod } from '@/lib/limits/windows';
import { linkTag } from '@/lib/redis/key-slot';
import { proxyRefusals } from './refusals';
import { singleFlight } from '@/lib/single-flight';

/**
 * The codes of the refusals that come before the limits are counted (lib/proxy/handler.ts), and of
 * the limits' own: their records did not count against the monthly cap. A refusal missing here
 * would make a rebuilt cap stricter, never looser.
 */
const NOT_COUNTED = [
  proxyRefusals.linkDisabled(),
  proxyRefusals.originNotAllowed(''),
  proxyRefusals.methodNotAllowed(''),
  proxyRefusals.missingToken(),
  proxyRefusals.invalidToken(),
  proxyRefusals.invalidPath(''),
  proxyRefusals.pathNotAllowed('', ''),
  proxyRefusals.missingUserToken(),
  proxyRefusals.invalidUserToken(''),
  proxyRefusals.rateLimited(0, 'minute', '', 0),
  proxyRefusals.monthlyCapReached(0, 0),
]
  .map((refusal) => refusal.code)
  .concat('service_unavailable');

// One count at a time per link and month on this instance: a burst right after a loss (or on the
// 1st) waits for the same query.
const restoring = singleFlight<number>();

/**
 * The monthly cap's count so far, from the link's usage records in PostgreSQL: the cap is checked
 * against it when Redis has no counter (a new month, or Redis lost it), so a Redis restart does not
 * hand a link a second month's worth of requests. Requests whose records were still queued in the
 * lost Redis are not in it.
 */
function restoreMonthlyCount(link: LinkRecord, now: Date): Promise<number> {
  return restoring(`${link.id}|${windowId('month', now)}`, async () =>
    linkRequestsCounted(await getDb(), link.id, windowStart('month', now), windowReset('month', now), NOT_COUNTED),
  );
}

/**
 * One atomic check of a link's limits: per link and per end user (minute / hour / day) and the
 * monthly request cap. Throws the refusal of the first window that is full. The minute, hour and
 * day windows start over if Redis loses them; the monthly cap is rebuilt (restoreMonthlyCount).
 */
export async function consumeLinkLimits(link: LinkRecord, endUser: string | null, now = new Date()): Promise<void> {
  const at = now.getTime();
  // The link's hash tag: every counter of one check in one Redis Cluster slot (one script).
  const tag = linkTag(link.id);
  const counters: Counter[] = [];
  // What each counter's refusal says, by the counter's index.
  const windows: { period: RatePeriod; subject: string }[] = [];
  for (const period of RATE_PERIODS) {
    const bucket = Math.floor(at / RATE_PERIOD_MS[period]);
    const resetsInMs = untilNextWindow(period, at);
    counters.push({ key: `conduit:lrl:${tag}:${period}:${bucket}`, limit: link.rateLimits[period], windowMs: RATE_PERIOD_MS[period], resetsInMs });
    windows.push({ period, subject: 'for this link' });
    if (endUser !== null) {
      counters.push({
        key: `conduit:lurl:${tag}:${endUser}:${period}:${bucket}`,
        limit: link.endUserRateLimits[period],
        windowMs: RATE_PERIOD_MS[period],
        resetsInMs,
      });
      windows.push({ period, subject: 'per end user of this link' });
    }
  }
  const monthEnds = windowReset('month', now).getTime();
  counters.push({
    key: `conduit:lcap:${tag}:${windowId('month', now)}`,
    limit: link.monthlyRequestCap,
    windowMs: monthEnds - at + 86_400_000,
    restore: () => restoreMonthlyCount(link, now),
  });
  const result = await consumeRequest(counters);
  if (result.allowed) return;
  const refusedBy = counters[result.refusedBy]!;
  if (result.refusedBy === counters.length - 1) throw proxyRefusals.monthlyCapReached(refusedBy.limit!, monthEnds - at);
  const { period, subject } = windows[result.refusedBy]!;
  throw proxyRefusals.rateLimited(refusedBy.limit!, period, subject, result.resetMs);
}
