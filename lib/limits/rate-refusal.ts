import { ApiError } from '@/lib/errors';
import { openAIDuration } from '@/lib/gateway/rate-headers';
import type { RatePeriod } from './windows';

/**
 * The one 429 of a full request window, for keys (/v1) and links alike, so a client handles them
 * the same way: one wording ("… Try again in 13s.", the wait written as OpenAI writes it, equal to
 * x-ratelimit-reset-requests) and one set of headers — `retry-after` in whole seconds (what HTTP
 * clients and the SDKs' retry logic read) and OpenAI's `x-ratelimit-*-requests` for the window
 * that refused. `subject` finishes the sentence: "for this API key", "per end user of this link".
 */
export function rateLimitRefusal(window: { limit: number; period: RatePeriod; resetMs: number; subject: string }): ApiError {
  const wait = openAIDuration(window.resetMs);
  return new ApiError(429, 'rate_limit_exceeded', `Rate limit reached: ${window.limit} requests per ${window.period} ${window.subject}. Try again in ${wait}.`, {
    reason: `rate_limit_exceeded:${window.period}`,
    headers: {
      'retry-after': String(Math.max(1, Math.ceil(window.resetMs / 1000))),
      'x-ratelimit-limit-requests': String(window.limit),
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': wait,
    },
  });
}
