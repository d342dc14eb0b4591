import 'server-only';
import { z } from 'zod';
import { loadCreditBalance } from '@/lib/billing/credit';
import { env } from '@/lib/env';
import { ApiError, readJson, unavailableError } from '@/lib/errors';
import type { Operation } from '@/lib/keys/schema';
import { admit, type Admission, type CostBound } from '@/lib/limits/admission';
import { costMicros } from '@/lib/money';
import { catalog, modelAllowed, providerAllowed, type CatalogModel } from './catalog';
import type { RequestContext } from './context';
import { marksPromptCache, promptTokenBound } from './estimate';
import { forward } from './forward';
import { PROVIDER_LABELS, type ProviderName } from './provider-names';
import { providerConfigured } from './providers/configured';
import { rateLimitHeaders } from './rate-headers';
import { providerNotConfigured, refuseAdmission, refuseModel, refuseOperation, unknownModel, unsupportedModelOperation } from './refusals';
import { requestSchemaFor, type GatewayRequestBody } from './request-schemas';

/**
 * POST /v1/chat/completions, /v1/completions, /v1/embeddings: checks 3 to 5 (operation, body,
 * model, rate limits, spend limits and credit), then forwards. Checks 1-2 ran in authorizeKey.
 */

const modelField = z.looseObject({ model: z.string({ error: 'you must provide a model parameter' }).min(1, 'you must provide a model parameter') });

export async function handleCompletion(request: Request, context: RequestContext, operation: Operation): Promise<Response> {
  const key = context.key!;
  context.record.operation = operation;
  if (key.allowedOperations.length > 0 && !key.allowedOperations.includes(operation)) throw refuseOperation(operation);

  const raw = await readJson(request, env().GATEWAY_MAX_BODY_BYTES);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiError(400, 'invalid_request_error', 'The request body must be a JSON object.');
  }
  const modelId = modelField.parse(raw).model;
  context.record.model = modelId;
  if (!modelAllowed(modelId, key.allowedModels)) throw refuseModel(modelId);
  const model = catalog.get(modelId);
  if (!model) throw unknownModel(modelId);
  // A key limited to some providers refuses the others' models as it refuses any model it may not use.
  if (!providerAllowed(model.provider, key.allowedProviders)) throw refuseModel(modelId, `it may only use models of ${providerList(key.allowedProviders!)}`);
  if (!model.operations.includes(operation)) throw unsupportedModelOperation(modelId, operation);
  // Before admission: nothing is reserved or counted for a model this installation cannot call.
  if (!providerConfigured(model.provider)) throw providerNotConfigured(modelId, PROVIDER_LABELS[model.provider]);

  // The model's own limits included (max_tokens no larger than it produces).
  const body = requestSchemaFor(operation, model).parse(raw);
  const stream = 'stream' in body && body.stream === true;
  Object.assign(context.record, { provider: model.provider, stream, endUser: body.user ?? null });

  const cost = costBound(operation, model, body);
  const admission = await admitWithCredit(context, cost);
  if (admission.outcome !== 'admitted') {
    throw refuseAdmission(admission.outcome === 'credit_unknown' ? { outcome: 'insufficient_credit' } : admission, key, new Date());
  }

  const upstreamBody: Record<string, unknown> = { ...body, model: model.upstreamModel };
  // Without max_tokens the output is capped to what the remaining budget pays for.
  if (cost.requestedOutputTokens === null && operation !== 'embeddings' && admission.outputTokens < model.maxOutputTokens) {
    upstreamBody[operation === 'responses' ? 'max_output_tokens' : 'max_tokens'] = admission.outputTokens;
  }
  return forward({
    request,
    context,
    operation,
    model,
    body,
    upstreamBody,
    stream,
    reservation: admission.reservation,
    rateHeaders: rateLimitHeaders(admission.rate),
  });
}

const providerList = (providers: readonly ProviderName[]) => providers.map((provider) => PROVIDER_LABELS[provider]).join(', ');

function costBound(operation: Operation, model: CatalogModel, body: GatewayRequestBody): CostBound {
  const limits = body as {
    n?: number | null;
    best_of?: number | null;
    max_tokens?: number | null;
    max_completion_tokens?: number | null;
    max_output_tokens?: number | null;
    prompt?: unknown;
  };
  // Legacy completions generate best_of candidates (all billed) for every prompt of an array.
  const prompts = operation === 'completions' && Array.isArray(limits.prompt) && limits.prompt.some((p) => typeof p !== 'number') ? limits.prompt.length : 1;
  const choices = Math.max(limits.n ?? 1, limits.best_of ?? 1) * prompts;
  const requested = operation === 'embeddings' ? null : (limits.max_output_tokens ?? limits.max_completion_tokens ?? limits.max_tokens ?? null);
  return {
    // A cache breakpoint may bill the whole prompt as a cache write, dearer than input (Anthropic:
    // 1.25×). Only such models' bodies are searched for one: no extra work for the others.
    promptCost: costMicros(
      promptTokenBound(operation, body),
      model.price.cacheWrite > model.price.input && marksPromptCache(body) ? model.price.cacheWrite : model.price.input,
    ),
    // n choices each produce up to max_tokens: price the output n times over.
    outputPrice: model.price.output * choices,
    requestedOutputTokens: requested,
    modelMaxOutputTokens: operation === 'embeddings' ? 0 : model.maxOutputTokens,
  };
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
