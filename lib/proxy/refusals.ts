import 'server-only';
import { ApiError } from '@/lib/errors';
import { openAIDuration } from '@/lib/gateway/rate-headers';
import { rateLimitRefusal } from '@/lib/limits/rate-refusal';
import type { RatePeriod } from '@/lib/limits/windows';
import { PROXY_METHODS } from './allowed-paths';

/** Every way a proxy link says no, in one place (same JSON error shape as the rest of Conduit). */
export const proxyRefusals = {
  unknownLink: () => new ApiError(404, 'link_not_found', 'No such Conduit Link.'),
  linkDisabled: () => new ApiError(403, 'link_disabled', 'This Conduit Link is disabled.'),
  originNotAllowed: (origin: string) => new ApiError(403, 'origin_not_allowed', `Requests from the origin ${origin} are not allowed for this link.`),
  missingToken: () => new ApiError(401, 'missing_access_token', 'Send the link access token in the X-Access-Token header.'),
  invalidToken: () => new ApiError(401, 'invalid_access_token', 'Invalid access token for this link.'),
  invalidPath: (reason: string) => new ApiError(400, 'invalid_path', `The request path was refused: ${reason}.`),
  methodNotAllowed: (method: string) =>
    new ApiError(405, 'method_not_allowed', `${method} is never forwarded by a link; use ${PROXY_METHODS.join(', ')} or OPTIONS.`, {
      headers: { allow: [...PROXY_METHODS, 'OPTIONS'].join(', ') },
    }),
  pathNotAllowed: (method: string, path: string) =>
    new ApiError(403, 'path_not_allowed', `${method} ${path} is not in this link's allowed paths.`),
  missingUserToken: () => new ApiError(401, 'missing_user_token', "This link requires the end user's JWT in `Authorization: Bearer`."),
  invalidUserToken: (reason: string) => new ApiError(401, 'invalid_user_token', `The end-user JWT was refused: ${reason}.`),
  // The same 429 as a key's (lib/limits/rate-refusal.ts): one wording, the same headers.
  rateLimited: (limit: number, period: RatePeriod, subject: string, resetMs: number) => rateLimitRefusal({ limit, period, subject, resetMs }),
  monthlyCapReached: (cap: number, resetMs: number) =>
    new ApiError(429, 'monthly_cap_reached', `This link has used its monthly cap of ${cap} requests; it resets at the start of next month (UTC).`, {
      headers: {
        'retry-after': String(Math.max(1, Math.ceil(resetMs / 1000))),
        'x-ratelimit-limit-requests': String(cap),
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': openAIDuration(resetMs),
      },
    }),
  bodyTooLarge: (max: number) => new ApiError(413, 'request_too_large', `The request body is larger than ${max} bytes.`),
  upstreamBlocked: () => new ApiError(502, 'upstream_address_blocked', "The link's upstream resolves to an address Conduit does not call.", { type: 'api_error' }),
  // DNS has no address for the upstream's host (a typo, a lapsed domain): unreachable, not refused.
  upstreamUnresolved: () => new ApiError(502, 'upstream_unreachable', "The link's upstream host could not be resolved (DNS). Check the link's base URL.", { type: 'api_error' }),
  upstreamTimeout: () => new ApiError(504, 'upstream_timeout', 'The upstream API did not answer in time.', { type: 'api_error' }),
  upstreamUnavailable: () => new ApiError(502, 'upstream_unavailable', 'Could not reach the upstream API.', { type: 'api_error' }),
};
