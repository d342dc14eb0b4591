import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeDatabase } from '@/db';
import { env } from '@/lib/env';
import { handleGateway } from '@/lib/gateway/handler';
import { stopReservationSweeper } from '@/lib/limits/sweeper';
import { handleProxy } from '@/lib/proxy/handler';
import { linkByHost, type LinkByHost } from '@/lib/proxy/link-host';
import { closeSharedRedis } from '@/lib/redis/client';
import { flushRedisSoon } from '@/lib/redis/soon';
import { stopUsageDrain } from '@/lib/usage/drain';
import { isMetricsRequest, prepareMetrics, serveMetrics } from '@/lib/observability/metrics-endpoint';
import { observeRequest } from '@/lib/observability/request-log';
import { logger } from '@/lib/observability/log';
import { closeGracefully, createHttpServer, DEFAULT_LIMITS, type RequestListener } from './http-server';
import { handleNodeRequest } from './node-adapter';

const log = logger().child({ component: 'server' });

/**
 * The forwarding hot paths, bundled on their own by `npm run build` (esbuild → .next/conduit/
 * hot-path.mjs) so the production entry (start.mjs) serves them straight from node:http,
 * without Next.js's routing and rendering machinery on every request. The same handlers sit
 * behind the Next route files (app/v1, app/proxy), which `next dev` uses.
 */

/** The link a request names by its host ({linkId}.{PROXY_DOMAIN}, or {PROXY_HOST}/{linkId}/…), if any. */
function linkOfHost(req: IncomingMessage): LinkByHost | undefined {
  const { PROXY_DOMAIN: proxyDomain, PROXY_HOST: proxyHost } = env();
  return linkByHost(req.headers.host, req.url ?? '/', { proxyDomain, proxyHost });
}

/** Which handler serves this request, if it is a hot-path request at all. */
function handlerFor(req: IncomingMessage) {
  if (linkOfHost(req) !== undefined) return handleProxy; // {linkId}.{PROXY_DOMAIN}/<upstream path>, {PROXY_HOST}/{linkId}/<upstream path>
  const url = req.url ?? '/';
  if (url.startsWith('/proxy/')) return handleProxy;
  if (url.startsWith('/v1/')) return handleGateway;
  return undefined;
}

export function isHotPath(req: IncomingMessage): boolean {
  return handlerFor(req) !== undefined;
}

export function serveHotPath(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return handleNodeRequest(handlerFor(req)!, req, res);
}

// --- The server around them, and its shutdown (start.mjs is plain JavaScript: what it needs of
// the configuration and of the app's modules comes through this bundle) ---------------------

/**
 * The node:http server start.mjs listens with (http-server.ts), with the configured limits. Every
 * request is logged and counted (lib/observability), and /metrics is answered here, before Next.
 */
export function createServer(listener: RequestListener): Server {
  const { HTTP_MAX_CONNECTIONS, HTTP_KEEP_ALIVE_TIMEOUT_MS } = env();
  prepareMetrics();
  const observed: RequestListener = (req, res) => {
    const link = linkOfHost(req);
    observeRequest(req, res, link);
    if (isMetricsRequest(req, link !== undefined)) return serveMetrics(req, res);
    return listener(req, res);
  };
  return createHttpServer(observed, { ...DEFAULT_LIMITS, maxConnections: HTTP_MAX_CONNECTIONS, keepAliveTimeoutMs: HTTP_KEEP_ALIVE_TIMEOUT_MS });
}

/** Stops taking connections and waits for the requests in flight, up to SHUTDOWN_TIMEOUT_MS. */
export function closeServer(server: Server): Promise<{ cut: number }> {
  return closeGracefully(server, env().SHUTDOWN_TIMEOUT_MS);
}

/** How long the background work may take to stop once the requests are done. */
const BACKGROUND_STOP_MS = 3_000;

/**
 * The rest of a graceful shutdown, once no request is left: the reservation timers stop (every
 * request in flight has settled its reservation), the settlements and usage records still
 * waiting for a Redis pipeline are sent, the usage drain finishes its pass and retires its
 * consumer, and the Redis and PostgreSQL connections close. The drain and the timers were
 * started by instrumentation.ts in Next.js's bundle: their state lives on globalThis, so this
 * bundle stops the same ones. Bounded: a dependency that is down does not hold the exit.
 */
export async function shutdown(): Promise<void> {
  const steps = (async () => {
    stopReservationSweeper();
    await flushRedisSoon();
    await stopUsageDrain();
    await Promise.allSettled([closeSharedRedis(), closeDatabase()]);
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), BACKGROUND_STOP_MS)));
  const outcome = await Promise.race([steps.then(() => 'done' as const), late]).catch((error: unknown) => {
    log.error({ err: error }, 'shutdown step failed');
    return 'failed' as const;
  });
  clearTimeout(timer);
  if (outcome === 'late') log.error({ ms: BACKGROUND_STOP_MS }, 'background work did not stop in time; exiting anyway');
}
