import type { RateWindowState } from '@/lib/limits/admission';

/** OpenAI's duration format for x-ratelimit-reset-*: "20ms", "1s", "6m0s", "1h2m3s". */
export function openAIDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const total = Math.ceil(ms / 1_000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Headers for the tightest request window (fewest remaining); none when the key has no rate limits. */
export function rateLimitHeaders(windows: readonly RateWindowState[]): Record<string, string> {
  const tightest = [...windows].sort((a, b) => a.limit - a.used - (b.limit - b.used))[0];
  if (!tightest) return {};
  return {
    'x-ratelimit-limit-requests': String(tightest.limit),
    'x-ratelimit-remaining-requests': String(Math.max(0, tightest.limit - tightest.used)),
    'x-ratelimit-reset-requests': openAIDuration(tightest.resetMs),
  };
}
