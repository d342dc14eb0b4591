import 'server-only';
import type { LinkRecord } from '@/lib/links/record';
import { untilNextWindow } from '@/lib/limits/admission';
import { consumeRequest, type Counter } from '@/lib/limits/request-counters';
import { RATE_PERIOD_MS, RATE_PERIODS, windowId, windowReset } from '@/lib/limits/windows';
import { proxyRefusals } from './refusals';

/**
 * One atomic check of a link's limits: per link and per end user (minute / hour / day) and the
 * monthly request cap. Throws the refusal of the first window that is full.
 */
export async function consumeLinkLimits(link: LinkRecord, endUser: string | null, now = new Date()): Promise<void> {
  const at = now.getTime();
  const counters: Counter[] = [];
  const scopes: string[] = [];
  for (const period of RATE_PERIODS) {
    const bucket = Math.floor(at / RATE_PERIOD_MS[period]);
    const resetsInMs = untilNextWindow(period, at);
    counters.push({ key: `conduit:lrl:${link.id}:${period}:${bucket}`, limit: link.rateLimits[period], windowMs: RATE_PERIOD_MS[period], resetsInMs });
    scopes.push(`${link.rateLimits[period]} requests per ${period} for this link`);
    if (endUser !== null) {
      counters.push({
        key: `conduit:lurl:${link.id}:${endUser}:${period}:${bucket}`,
        limit: link.endUserRateLimits[period],
        windowMs: RATE_PERIOD_MS[period],
        resetsInMs,
      });
      scopes.push(`${link.endUserRateLimits[period]} requests per ${period} per user`);
    }
  }
  const monthEnds = windowReset('month', now).getTime();
  counters.push({ key: `conduit:lcap:${link.id}:${windowId('month', now)}`, limit: link.monthlyRequestCap, windowMs: monthEnds - at + 86_400_000 });
  const result = await consumeRequest(counters);
  if (result.allowed) return;
  if (result.refusedBy === counters.length - 1) throw proxyRefusals.monthlyCapReached(monthEnds - at);
  throw proxyRefusals.rateLimited(scopes[result.refusedBy]!, result.resetMs);
}
