import 'server-only';
import { ApiError, errorResponse, toApiError } from '@/lib/errors';
import { setResponseHeader } from '@/lib/server/lean-response';
import type { KeyRecord } from '@/lib/keys/record';
import type { Operation } from '@/lib/keys/schema';
import { authorizeKey, authorizeKnownKey } from './authorize';
import { handleCompletion } from './completion';
import { newContext, recordUsage, type RequestContext } from './context';
import { keyInfo, listModels } from './info';

/**
 * The Conduit API (/v1/*) as a plain `(Request) => Promise<Response>`: the Next.js route file
 * and the lean production entry both call this, so it can be measured and served without
 * framework overhead. Every response carries x-request-id; every request leaves a usage record.
 */

const operations: Record<string, Operation> = {
  'chat/completions': 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
  responses: 'responses',
};

type Authorize = (request: Request) => Promise<KeyRecord> | KeyRecord;

export function handleGateway(request: Request): Promise<Response> {
  return serve(request, authorizeKey);
}

/**
 * /v1 for a key held by id rather than by secret: the playground's requests go through every
 * check, limit, reservation and usage record an API call with that key's secret would.
 */
export function handleGatewayWithKey(request: Request, key: KeyRecord): Promise<Response> {
  return serve(request, (req) => authorizeKnownKey(req, key));
}

async function serve(request: Request, authorize: Authorize): Promise<Response> {
  const context = newContext();
  let response: Response;
  try {
    response = await route(request, context, authorize);
  } catch (error) {
    // The record stores the code the client got (a zod error is a 400 invalid_request_error).
    const refusal = toApiError(error);
    response = errorResponse(refusal);
    context.record.errorCode = refusal.code;
    recordUsage(context, response.status);
  }
  setResponseHeader(response, 'x-request-id', context.requestId);
  return response;
}

async function route(request: Request, context: RequestContext, authorize: Authorize): Promise<Response> {
  const path = new URL(request.url).pathname.replace(/^\/v1\/?/, '').replace(/\/+$/, '');
  const operation = operations[path];
  if (operation) {
    if (request.method !== 'POST') throw methodNotAllowed(request.method, path, 'POST');
    context.key = await authorize(request);
    return handleCompletion(request, context, operation);
  }
  if (path === 'models' || path === 'key') {
    if (request.method !== 'GET') throw methodNotAllowed(request.method, path, 'GET');
    context.key = await authorize(request);
    const response = path === 'models' ? listModels(context.key) : await keyInfo(context.key);
    context.record.operation = path;
    recordUsage(context, response.status);
    return response;
  }
  throw new ApiError(404, 'unknown_url', `Unknown request URL: ${request.method} /v1/${path}.`);
}

const methodNotAllowed = (method: string, path: string, allowed: string) =>
  new ApiError(405, 'method_not_allowed', `${method} is not supported on /v1/${path}; use ${allowed}.`, { headers: { allow: allowed } });
