import 'server-only';
import { env } from '@/lib/env';

/**
 * The client's IP address as seen by the outermost proxy we trust.
 *
 * Conduit's server entry (lib/server/start.mjs) appends the TCP peer's address to
 * X-Forwarded-For, so the last entry is always real. With TRUSTED_PROXY_COUNT = n, the n
 * rightmost entries were added by our own proxies and the one before them is the client;
 * anything further left was written by the client and is never trusted.
 */
export function clientIp(headers: Headers, trustedProxies = env().TRUSTED_PROXY_COUNT): string | undefined {
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  const index = hops.length - 1 - trustedProxies;
  return hops[Math.max(index, 0)];
}
