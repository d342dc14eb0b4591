import 'server-only';
import { z } from 'zod';
import { getDb } from '@/db';
import { findLiveKey } from '@/db/queries/keys';
import { env } from '@/lib/env';
import { ApiError, errorResponse, readJson } from '@/lib/errors';
import { handleGatewayWithKey } from '@/lib/gateway/handler';
import { toKeyRecord } from '@/lib/keys/record';
import { can } from '@/lib/orgs/permissions';
import { currentMember } from '@/lib/orgs/session';
import { publicOrigin } from '@/lib/public-origin';

/**
 * POST /api/playground — the dashboard's chat. The signed-in member picks one of the
 * organization's keys by id (its secret never reaches the browser, and the server never had it:
 * keys are stored hashed), and the prompt goes to /v1/chat/completions through
 * handleGatewayWithKey: the same checks, limits, credit reservation, usage record and bill as
 * an API call with that key. The answer is the gateway's own stream, errors in OpenAI's shape.
 */

const MAX_BODY_BYTES = 256 * 1024;

const playgroundRequestSchema = z.strictObject({
  keyId: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(100_000) }))
    .min(1, 'Write a prompt first.')
    .max(100),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
});

export async function handlePlayground(request: Request): Promise<Response> {
  try {
    // A session cookie rides along with any request to this origin: only the dashboard's own
    // pages may spend through it (SameSite=Lax already keeps cross-site fetches without it).
    const origin = publicOrigin(request.headers, env().TRUSTED_PROXY_COUNT).origin;
    if (request.headers.get('origin') !== origin) {
      throw new ApiError(403, 'cross_origin_request', 'The playground answers the dashboard only.');
    }
    const member = await currentMember();
    if (!member) throw new ApiError(401, 'not_signed_in', 'Sign in to use the playground.');
    if (member === 'no_organization') throw new ApiError(403, 'no_organization', 'Create or join an organization first.');
    if (!can(member.account.role, 'playground.use')) {
      throw new ApiError(403, 'permission_denied', 'Your role cannot use the playground: it spends the organization’s credit.');
    }

    const { keyId, ...chat } = playgroundRequestSchema.parse(await readJson(request, MAX_BODY_BYTES));
    const row = await findLiveKey(await getDb(), member.account.id, keyId);
    if (!row) throw new ApiError(404, 'key_not_found', 'No such key in this organization.', { param: 'keyId' });

    const headers = new Headers(request.headers);
    for (const name of ['cookie', 'authorization', 'content-length', 'origin', 'referer']) headers.delete(name);
    headers.set('content-type', 'application/json');
    const body = JSON.stringify({ ...chat, stream: true, stream_options: { include_usage: true } });
    // The browser's Stop (or a closed tab) reaches the gateway, which then settles what was used.
    const call = new Request(new URL('/v1/chat/completions', request.url), { method: 'POST', headers, body, signal: request.signal });
    return handleGatewayWithKey(call, toKeyRecord(row));
  } catch (error) {
    return errorResponse(error);
  }
}
