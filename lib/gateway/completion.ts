import 'server-only';
import { loadCreditBalance } from '@/lib/billing/credit';
import { env } from '@/lib/env';
import { ApiError, readJson, unavailableError } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import { admit, type Admission, type CostBound } from '@/lib/limits/admission';
import { checkedBody, costBound, requestedModels, upstreamBodyFor, usableModel } from './candidates';
import type { RequestContext } from './context';
import { forward } from './forward';
import { rateLimitHeaders } from './rate-headers';
import { refuseAdmission, refuseOperation } from './refusals';

/**
 * POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses: checks 3 to 5
 * (operation, body, models, rate limits, spend limits and credit), then forwards. Checks 1-2 ran in
 * authorizeKey.
 */

export async function handleCompletion(request: Request, context: RequestContext, operation: Operation): Promise<Response> {
  const key = context.key!;
  context.record.operation = operation;
  if (key.allowedOperations.length > 0 && !key.allowedOperations.includes(operation)) throw refuseOperation(operation);

  const raw = await readJson(request, env().GATEWAY_MAX_BODY_BYTES);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiError(400, 'invalid_request_error', 'The request body must be a JSON object.');
  }
  const fields = raw as Record<string, unknown>;
  const requested = requestedModels(fields, operation);
  // A refused model is the one its record names.
  const models = requested.map((model) => {
    context.record.model = model.id;
    return usableModel(model, key, operation);
  });
  context.record.model = models[0]!.id;

  // Valid for every model (max_tokens no larger than the least of them produces).
  const body = checkedBody(operation, models, fields);
  const stream = 'stream' in body && body.stream === true;
  Object.assign(context.record, { provider: models[0]!.provider, stream, endUser: body.user ?? null });

  // Reserved for the dearest model: whichever answers, no limit can be passed.
  const cost = costBound(operation, models, body);
  const admission = await admitWithCredit(context, cost);
  if (admission.outcome !== 'admitted') {
    throw refuseAdmission(admission.outcome === 'credit_unknown' ? { outcome: 'insufficient_credit' } : admission, key, new Date());
  }

  return forward({
    request,
    context,
    operation,
    body,
    // Without max_tokens the output is capped to what the remaining budget pays for.
    routes: models.map((model) => ({ model, body: upstreamBodyFor(operation, model, body, cost, admission.outputTokens) })),
    stream,
    reservation: admission.reservation,
    rateHeaders: rateLimitHeaders(admission.rate),
  });
}

/**
 * Admission. What Redis does not have — the account's credit (first use, or lost in a restart),
 * one of the key's spend windows (a new window, or lost) — is rebuilt from PostgreSQL first, and
 * the request admitted once more (never in a loop), at the same instant: in the windows rebuilt.
 */
async function admitWithCredit(context: RequestContext, cost: CostBound): Promise<Admission> {
  const key = context.key!;
  const now = Date.now();
  const admission = await admit(key, context.requestId, cost, now);
  if (admission.outcome !== 'state_unknown') return admission;
  await Promise.all([admission.credit && loadCreditBalance(key.userId), admission.spend && admission.restoreSpend()]);
  const again = await admit(key, context.requestId, cost, now);
  if (again.outcome !== 'state_unknown') return again;
  if (again.credit) return { outcome: 'credit_unknown' };
  // Lost again since the rebuild: Redis is losing data right now. Refused (503), never admitted
  // against a spend it made up.
  throw unavailableError('redis');
}
