import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LinkByHost } from '@/lib/proxy/link-host';
import { errorMarkOf, requestIdOf } from './marks';
import { logger } from './log';
import { metrics, type Surface } from './metrics';

/**
 * One log line and one set of metrics per request, taken where every request passes: the
 * production server's listener (lib/server/hot-path.ts wraps it), whether the hot path or
 * Next.js answers. Written when the connection is done with the request (`close`), so a stream's
 * latency is its whole length and a client that left is seen as such.
 */

/** Which part of Conduit a request is for (a closed set: it is a metric label). */
export function surfaceOf(url: string, linkOfHost: LinkByHost | undefined): Surface {
  if (linkOfHost !== undefined || url.startsWith('/proxy/')) return 'link';
  const path = withoutQuery(url);
  if (path.startsWith('/v1/')) return 'v1';
  if (path.startsWith('/api/v1/')) return 'management';
  if (path.startsWith('/api/') || path === '/metrics') return 'api';
  if (path.startsWith('/_next/') || /^\/[\w.-]+\.(ico|png|svg|txt|webmanifest)$/.test(path)) return 'static';
  return 'dashboard';
}

function withoutQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The path as logged. Never the query string (Google Maps-style `?key=`, tokens in links) and, for
 * a link, nothing past its id: the rest is the third-party API's path, the client's business.
 */
export function loggedPath(url: string, surface: Surface, linkOfHost: LinkByHost | undefined): string {
  const path = withoutQuery(url);
  if (surface !== 'link') return path;
  if (linkOfHost?.kind === 'host') return `{host:${linkOfHost.linkId}}`;
  // {PROXY_HOST}/{linkId}/…: the id leads the path.
  if (linkOfHost?.kind === 'path') return `/${linkOfHost.linkId}`;
  return path.split('/', 3).join('/');
}

export function observeRequest(req: IncomingMessage, res: ServerResponse, linkOfHost: LinkByHost | undefined): void {
  const started = performance.now();
  const url = req.url ?? '/';
  const surface = surfaceOf(url, linkOfHost);
  res.once('close', () => {
    const seconds = (performance.now() - started) / 1000;
    const status = res.statusCode;
    const error = errorMarkOf(res);
    const code = error?.code ?? '';
    const { requests, duration, refusals } = metrics();
    requests.labels(surface, String(status), code).inc();
    duration.labels(surface).observe(seconds);
    // Refused before any upstream was called: every 4xx the gateway or a link answers itself.
    if (error && status >= 400 && status < 500 && (surface === 'v1' || surface === 'link')) refusals.labels(surface, error.reason).inc();
    if (surface === 'static') return; // metrics only: a page load would log a dozen lines
    logger().info({
      msg: 'request',
      requestId: requestIdOf(res),
      surface,
      method: req.method,
      path: loggedPath(url, surface, linkOfHost),
      status,
      code: code || undefined,
      ms: Math.round(seconds * 10_000) / 10,
      // The client left before the whole answer was sent.
      aborted: res.writableFinished ? undefined : true,
    });
  });
}
