import 'server-only';

/**
 * Where a caller's credentials are. The access token normally comes in X-Access-Token (the
 * seed's examples). SDKs that can only set their own API key — Stripe's `new Stripe(token)`
 * sends `Authorization: Bearer`, Twilio's sends HTTP Basic — may use that instead, but only
 * when the link does not verify end-user JWTs (then Authorization carries the JWT).
 */
export interface CallerCredentials {
  accessToken: string | null;
  endUserJwt: string | null;
}

function fromAuthorization(header: string | null): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.split(':', 1)[0];
    return user || null;
  }
  return null;
}

export function callerCredentials(headers: Headers, jwtRequired: boolean): CallerCredentials {
  const explicit = headers.get('x-access-token')?.trim() || null;
  const authorization = fromAuthorization(headers.get('authorization'));
  if (jwtRequired) return { accessToken: explicit, endUserJwt: authorization };
  return { accessToken: explicit ?? authorization, endUserJwt: null };
}
