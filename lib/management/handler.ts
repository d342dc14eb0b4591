import 'server-only';
import { ApiError, errorResponse } from '@/lib/errors';
import type { Actor } from '@/lib/orgs/actor';
import { clientIp } from '@/lib/request-ip';
import { countFailedAttempt, limitToken, refuseBlockedClient } from './rate-limit';
import { authenticateManagementRequest } from './tokens';

type RouteContext<P> = { params: Promise<P> };

/**
 * Wraps a management API route: refuses an address that used up its failed attempts, then
 * authenticates the token (a 401 counts against the address), applies the token's rate limit
 * (lib/management/rate-limit.ts), runs the handler, and turns any error into the OpenAI-shaped
 * JSON error (lib/errors.ts). Route files stay one-liners around this.
 */
export function managementRoute<P = Record<string, never>>(
  handler: (request: Request, actor: Actor, params: P) => Promise<Response>,
) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    try {
      const ip = clientIp(request.headers);
      await refuseBlockedClient(ip);
      let actor: Actor;
      try {
        actor = await authenticateManagementRequest(request);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) await countFailedAttempt(ip);
        throw error;
      }
      await limitToken(actor.tokenId ?? actor.userId);
      return await handler(request, actor, await context.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}
