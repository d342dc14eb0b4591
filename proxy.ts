// Next.js proxy (formerly "middleware"): runs before every page, server action and /api route —
// not before /v1 and /proxy, which production serves outside Next (lib/server/hot-path.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { publicOrigin } from '@/lib/public-origin';
import { API_CONTENT_SECURITY_POLICY, newNonce, pageContentSecurityPolicy, STRICT_TRANSPORT_SECURITY } from '@/lib/security/headers';

/**
 * Two jobs, both per request (the constant security headers come from next.config.ts):
 *
 * 1. X-Forwarded-Proto / X-Forwarded-Host are replaced by what lib/public-origin.ts trusts
 *    (TRUSTED_PROXY_COUNT), so a client cannot choose the scheme and host that Auth.js, the
 *    server-action origin check and the pages build URLs from.
 * 2. The Content-Security-Policy, with a fresh nonce for pages (Next.js reads it from the request's
 *    header and puts it on its own scripts: every page is rendered per request, see app/layout.tsx),
 *    and Strict-Transport-Security when the browser came over https.
 */
export function proxy(request: NextRequest): NextResponse {
  const { TRUSTED_PROXY_COUNT, NODE_ENV, STRIPE_API_BASE, AUTH_URL } = env();
  const origin = publicOrigin(request.headers, TRUSTED_PROXY_COUNT);
  const headers = new Headers(request.headers);
  headers.set('x-forwarded-proto', origin.protocol);
  headers.set('x-forwarded-host', origin.host);

  // AUTH_URL names the public URL; over http an HSTS header is ignored by browsers anyway.
  const https = origin.protocol === 'https' || AUTH_URL?.startsWith('https:') === true;
  let policy = API_CONTENT_SECURITY_POLICY;
  if (!request.nextUrl.pathname.startsWith('/api/')) {
    policy = pageContentSecurityPolicy({
      nonce: newNonce(),
      https,
      dev: NODE_ENV === 'development',
      // A Stripe stand-in (tests, stripe-mock) serves its "hosted" checkout pages itself.
      extraFormActions: STRIPE_API_BASE ? [new URL(STRIPE_API_BASE).origin] : [],
    });
    headers.set('content-security-policy', policy);
  }
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  if (https) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  // Everything but the build's static files (hashed JS/CSS: the constant headers are enough) and
  // the hot paths, which `next dev` serves through app/v1 and app/proxy.
  matcher: ['/((?!_next/static/|_next/image|favicon\\.ico|v1/|proxy/).*)'],
};
