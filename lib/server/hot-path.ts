import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleGateway } from '@/lib/gateway/handler';
import { handleNodeRequest } from './node-adapter';

/**
 * The forwarding hot path, bundled on its own by `npm run build` (esbuild → .next/conduit/
 * hot-path.mjs) so the production entry (start.mjs) can serve /v1/* straight from node:http,
 * without Next.js's routing and rendering machinery on every request. Same handler as the
 * Next route file app/v1/[...path]/route.ts, which `next dev` uses.
 */
export const HOT_PATH_PREFIXES = ['/v1/'];

export function serveHotPath(req: IncomingMessage, res: ServerResponse): Promise<void> {
  return handleNodeRequest(handleGateway, req, res);
}
