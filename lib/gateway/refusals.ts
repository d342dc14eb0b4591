import 'server-only';
import { ApiError } from '@/lib/errors';
import type { KeyStatus } from '@/lib/keys/verify';
import type { Admission } from '@/lib/limits/admission';
import { rateLimitRefusal } from '@/lib/limits/rate-refusal';
import { windowReset } from '@/lib/limits/windows';
import { formatDollars } from '@/lib/money';
import type { KeyRecord } from '@/lib/keys/record';

/**
 * Every way the gateway says no, in one table: the HTTP status, code and message a client sees
 * (OpenAI's error shape; the SDKs map 401/403/404/429 to their own error classes).
 */

const keyRefusals: Record<Exclude<KeyStatus, 'VALID'>, () => ApiError> = {
  NOT_FOUND: () => new ApiError(401, 'invalid_api_key', 'Invalid API key provided.'),
  DISABLED: () => new ApiError(401, 'key_disabled', 'This API key has been disabled. Enable it in the Conduit dashboard.'),
  EXPIRED: () => new ApiError(401, 'key_expired', 'This API key has expired.'),
};

export const refuseKey = (status: Exclude<KeyStatus, 'VALID'>) => keyRefusals[status]();

export const refuseIp = (ip: string | undefined) =>
  new ApiError(403, 'ip_not_allowed', `Requests from ${ip ?? 'your address'} are not allowed for this API key.`);

export const refuseOperation = (operation: string) =>
  new ApiError(403, 'operation_not_allowed', `This API key is not allowed to use ${operation}.`);

// `param` names the field that named the model: `model`, or `models` for a fallback.
export const refuseModel = (model: string, why?: string, param = 'model') =>
  new ApiError(403, 'model_not_allowed', `This API key is not allowed to use the model '${model}'${why ? ` (${why})` : ''}.`, { param });

export const unknownModel = (model: string, param = 'model') =>
  new ApiError(404, 'model_not_found', `The model '${model}' does not exist or is not served by Conduit.`, { param });

export const unsupportedModelOperation = (model: string, operation: string, param = 'model') =>
  new ApiError(400, 'unsupported_operation', `The model '${model}' does not support ${operation}.`, { param });

/**
 * A catalog model whose provider this installation holds no key for. 503 as the README promises,
 * but not a passing outage: `x-should-retry: false` stops the official SDKs (openai, anthropic)
 * from retrying it twice more with backoff, as they do any 503.
 */
export const providerNotConfigured = (model: string, provider: string, param = 'model') =>
  new ApiError(503, 'provider_not_configured', `The model '${model}' is not available on this Conduit installation: ${provider} is not configured.`, {
    type: 'api_error',
    param,
    headers: { 'x-should-retry': 'false' },
  });

const windowNames = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

export function refuseAdmission(admission: Exclude<Admission, { outcome: 'admitted' | 'credit_unknown' }>, key: KeyRecord, now: Date): ApiError {
  switch (admission.outcome) {
    case 'rate_limited':
      return rateLimitRefusal({ limit: admission.limit, period: admission.period, resetMs: admission.resetMs, subject: 'for this API key' });
    case 'spend_limited': {
      const limit = key.spendLimits[admission.window] ?? 0;
      const resets = windowReset(admission.window, now).toISOString();
      return new ApiError(
        403,
        'spending_limit_exceeded',
        `API key has exceeded its spending limit: the ${windowNames[admission.window]} limit of ${formatDollars(limit)} is used up until ${resets}.`,
        { reason: `spending_limit_exceeded:${admission.window}`, headers: { 'x-conduit-spend-window': admission.window, 'x-conduit-spend-reset': resets } },
      );
    }
    case 'insufficient_credit':
      return new ApiError(402, 'insufficient_credits', 'Your Conduit credit balance is too low for this request. Add credit in the dashboard.');
  }
}
