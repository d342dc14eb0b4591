import type { IncomingMessage, ServerResponse } from 'node:http';
import { env } from '@/lib/env';
import { handleGateway } from '@/lib/gateway/handler';
import { handleProxy } from '@/lib/proxy/handler';
import { handleNodeRequest } from './node-adapter';

/**
 * The forwarding hot paths, bundled on their own by `npm run build` (esbuild → .next/conduit/
 * hot-path.mjs) so the production entry (start.mjs) serves them straight from node:http,
 * without Next.js's routing and rendering machinery on every request. The same handlers sit
 * behind the Next route files (app/v1, app/proxy), which `next dev` uses.
 */

function isLinkHost(host: string | undefined): boolean {
  const domain = env().PROXY_DOMAIN;
  if (!domain || !host) return false;
  const name = domain.includes(':') ? host.toLowerCase() : host.toLowerCase().replace(/:\d+$/, '');
  return name.endsWith(`.${domain}`);
}

/** Which handler serves this request, if it is a hot-path request at all. */
function handlerFor(req: IncomingMessage) {
  if (isLinkHost(req.headers.host)) return handleProxy; // {linkId}.{PROXY_DOMAIN}/<upstream path>
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
