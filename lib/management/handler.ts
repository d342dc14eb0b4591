import 'server-only';
import { errorResponse } from '@/lib/errors';
import type { Actor } from '@/lib/keys/service';
import { authenticateManagementRequest } from './tokens';

type RouteContext<P> = { params: Promise<P> };

/**
 * Wraps a management API route: authenticates the token, runs the handler, and turns any error
 * into the OpenAI-shaped JSON error (lib/errors.ts). Route files stay one-liners around this.
 */
export function managementRoute<P = Record<string, never>>(
  handler: (request: Request, actor: Actor, params: P) => Promise<Response>,
) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    try {
      const actor = await authenticateManagementRequest(request);
      return await handler(request, actor, await context.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}
