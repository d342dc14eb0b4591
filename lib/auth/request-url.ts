import 'server-only';
import { NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { publicOrigin } from '@/lib/public-origin';

/**
 * The request Auth.js's route handlers are given, at the URL the browser used. Next.js hands
 * route handlers `http://localhost:<port>/…` whatever the Host (it builds the URL from the address
 * it listens on), and Auth.js builds every URL it answers from that — the providers' sign-in and
 * callback URLs, the redirect after signing out — so behind a real domain they all pointed at
 * localhost. With AUTH_URL set, next-auth itself swaps the origin for that one; otherwise it is
 * the request's public origin (lib/public-origin.ts: the Host header, or what a trusted proxy
 * forwarded), the same origin proxy.ts gives the pages and server actions.
 */
export function atPublicUrl(request: NextRequest): NextRequest {
  const { AUTH_URL, TRUSTED_PROXY_COUNT } = env();
  if (AUTH_URL) return request;
  const { origin } = publicOrigin(request.headers, TRUSTED_PROXY_COUNT);
  const { href, origin: seen } = request.nextUrl;
  if (origin === seen) return request;
  return new NextRequest(origin + href.slice(seen.length), request);
}
