/**
 * Where the browser reached Conduit (scheme and host), decided as carefully as the client IP
 * (lib/request-ip.ts). Next.js keeps a client-supplied X-Forwarded-Host / X-Forwarded-Proto as
 * it is and only fills them in when they are missing; Auth.js and the pages read them. So:
 *
 * - TRUSTED_PROXY_COUNT = 0: nothing sits in front of Conduit, whose entry (lib/server/start.mjs)
 *   speaks plain HTTP. The scheme is `http` and the host is the Host header; any X-Forwarded-*
 *   header came from the client and is ignored.
 * - TRUSTED_PROXY_COUNT = n > 0: our proxies set them. Proxies that append (rather than overwrite)
 *   leave a list; as with X-Forwarded-For, the entry the outermost of our n proxies wrote is the
 *   n-th from the right (or the first, when there are fewer). Without X-Forwarded-Host, the Host
 *   header (most proxies pass the browser's on).
 *
 * proxy.ts writes the result back into X-Forwarded-Proto / X-Forwarded-Host before any page,
 * server action or route handler runs, so everything downstream agrees (and reading them again
 * gives the same answer). Pure: the callers pass TRUSTED_PROXY_COUNT.
 */

export interface PublicOrigin {
  protocol: 'http' | 'https';
  /** host[:port], lower case. */
  host: string;
  /** `${protocol}://${host}` */
  origin: string;
}

/** The value our outermost trusted proxy wrote into a comma-separated forwarding header. */
function forwarded(value: string | null, trustedProxies: number): string | undefined {
  if (!value) return undefined;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries[Math.max(entries.length - trustedProxies, 0)];
}

/** A host[:port] as URL parsing normalises it, or undefined when it is not one. */
function normalHost(candidate: string | undefined): string | undefined {
  if (!candidate || /[\s/\\?#@]/.test(candidate)) return undefined;
  try {
    const url = new URL(`http://${candidate}`);
    return url.host || undefined;
  } catch {
    return undefined;
  }
}

export function publicOrigin(headers: Headers, trustedProxies: number, fallbackHost = 'localhost'): PublicOrigin {
  let protocol: PublicOrigin['protocol'] = 'http';
  let host = normalHost(headers.get('host') ?? undefined);
  if (trustedProxies > 0) {
    if (forwarded(headers.get('x-forwarded-proto'), trustedProxies)?.toLowerCase() === 'https') protocol = 'https';
    host = normalHost(forwarded(headers.get('x-forwarded-host'), trustedProxies)) ?? host;
  }
  host ??= fallbackHost;
  // The default port says nothing: https://example.com, not https://example.com:443.
  if ((protocol === 'https' && host.endsWith(':443')) || (protocol === 'http' && host.endsWith(':80'))) host = host.replace(/:\d+$/, '');
  return { protocol, host, origin: `${protocol}://${host}` };
}
