import 'server-only';

/**
 * CORS for proxy links. Only origins listed on the link get a grant; a preflight from one of
 * them is answered without a token (browsers never send credentials on preflights), and any
 * other origin gets no CORS headers at all and a 403, so its page cannot read the answer.
 */

const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function originAllowed(origin: string | null, allowedOrigins: readonly string[]): boolean {
  return origin !== null && allowedOrigins.includes(origin);
}

/** Headers granting `origin` access to an actual response (errors included, so pages can read them). */
export function corsHeaders(origin: string | null, allowedOrigins: readonly string[], exposed: Iterable<string> = []): Record<string, string> {
  if (!originAllowed(origin, allowedOrigins)) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin!,
    'access-control-expose-headers': ['x-request-id', ...exposed].join(', '),
    vary: 'Origin',
  };
}

export function isPreflight(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
}

/** The answer to a preflight from an allowed origin for a method the path accepts. */
export function preflightResponse(request: Request, origin: string): Response {
  const headers = new Headers({
    'access-control-allow-origin': origin,
    'access-control-allow-methods': request.headers.get('access-control-request-method')!.toUpperCase(),
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  });
  const requested = request.headers.get('access-control-request-headers');
  // The page may send the upstream's own headers (anthropic-version, stripe-version…); which
  // of them reach the upstream is decided by lib/proxy/headers.ts, not here.
  if (requested) headers.set('access-control-allow-headers', requested);
  return new Response(null, { status: 204, headers });
}
