import 'server-only';
import { ZodError } from 'zod';
import { BytesResponse } from '@/lib/server/bytes-response';
import { bufferedBody } from '@/lib/server/node-request';
import { jsonNestedDeeperThan } from '@/lib/json-depth';
import { markError } from '@/lib/observability/marks';
import { metrics } from '@/lib/observability/metrics';
import { readBounded } from '@/lib/streams/read-bounded';
import { describeDependency, unavailableDependency, type Dependency } from '@/lib/unavailable';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'api' });

/**
 * The one error type of Conduit's APIs, and the one place that turns any error into a
 * Response. Every JSON API (/v1, /api/v1) answers in OpenAI's shape:
 *   {"error": {"message", "type", "param", "code"}}
 * Unknown errors become a generic 500 and are logged; internals never reach the client.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'authorization_error'
  | 'not_found_error'
  | 'insufficient_credits'
  | 'rate_limit_error'
  | 'api_error';

const typeByStatus: Record<number, ErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_credits',
  403: 'authorization_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
};

export class ApiError extends Error {
  override name = 'ApiError';
  readonly type: ErrorType;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { param?: string | null; type?: ErrorType; headers?: HeadersInit; reason?: string } = {},
  ) {
    super(message);
    this.type = options.type ?? typeByStatus[status] ?? 'api_error';
    this.param = options.param ?? null;
    this.headers = options.headers;
    this.reason = options.reason;
  }

  readonly param: string | null;
  readonly headers?: HeadersInit;
  /** For the refusal metric only, where the code alone is too coarse: `rate_limit_exceeded:minute`. */
  readonly reason?: string;
}

/** A 400 that names the first offending field, e.g. `spending_limits.day: Must not be negative`. */
export function validationError(error: ZodError): ApiError {
  const issue = error.issues[0];
  return issue ? invalidFieldError(issue) : new ApiError(400, 'invalid_request_error', 'Invalid request');
}

/** The same 400 for one issue found outside zod (e.g. against what is stored). */
export function invalidFieldError(issue: { path: readonly PropertyKey[]; message: string }): ApiError {
  const param = issue.path.length ? issue.path.map(String).join('.') : null;
  return new ApiError(400, 'invalid_request_error', param ? `${param}: ${issue.message}` : issue.message, { param });
}

/** How long a client is asked to wait after a 503 before trying again. */
const RETRY_AFTER_SECONDS = 2;

/** A dependency is down: the service's fault, for a moment — never the request's, never a 500. */
export function unavailableError(dependency: Dependency): ApiError {
  metrics().dependencyErrors.labels(dependency === 'database' ? 'postgres' : 'redis').inc();
  return new ApiError(503, 'service_unavailable', `Conduit is temporarily unavailable: ${describeDependency(dependency)} cannot be reached. Try again shortly.`, {
    type: 'api_error',
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
  });
}

/** Any error as the ApiError a client sees (and a usage record stores): what errorResponse answers. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return validationError(error);
  const down = unavailableDependency(error);
  if (down) return unavailableError(down);
  log.error({ err: error }, 'unexpected error');
  return new ApiError(500, 'internal_error', 'The server had an error while processing your request.');
}

export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const apiError = toApiError(error);
  const responseHeaders = new Headers(headers);
  new Headers(apiError.headers).forEach((value, name) => responseHeaders.set(name, value));
  responseHeaders.set('content-type', 'application/json');
  const body = {
    error: { message: apiError.message, type: apiError.type, param: apiError.param, code: apiError.code },
  };
  const response = new BytesResponse(JSON.stringify(body), { status: apiError.status, headers: responseHeaders });
  markError(response, { code: apiError.code, reason: apiError.reason ?? apiError.code });
  return response;
}

/** Reads a body up to `maxBytes`; a larger one is refused as soon as it goes past the limit. */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new ApiError(413, 'request_too_large', `The request body is larger than ${maxBytes} bytes.`);
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  const body = bufferedBody(request) ?? (await readBounded(request.body, maxBytes));
  if (body === null || body.byteLength > maxBytes) throw tooLarge();
  return body.toString('utf8');
}

/** Levels of arrays and objects a JSON body may nest (see json-depth.ts for why there is a limit). */
export const MAX_JSON_DEPTH = 64;

/**
 * Reads a JSON body: too large is a 413, malformed JSON a 400 that says so, JSON nested deeper
 * than MAX_JSON_DEPTH a 400 too — never a crash.
 */
export async function readJson(request: Request, maxBytes = 64 * 1024): Promise<unknown> {
  const text = await readText(request, maxBytes);
  if (!text.trim()) throw new ApiError(400, 'invalid_request_error', 'The request body must be a JSON object.');
  if (jsonNestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new ApiError(400, 'nesting_too_deep', `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}
