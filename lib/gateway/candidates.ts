import 'server-only';
import { z } from 'zod';
import type { KeyRecord } from '@/lib/keys/record';
import type { Operation } from '@/lib/keys/schema';
import type { CostBound } from '@/lib/limits/admission';
import { costMicros } from '@/lib/money';
import { catalog, modelAllowed, providerAllowed, type CatalogModel } from './catalog';
import { marksPromptCache, promptTokenBound } from './estimate';
import { PROVIDER_LABELS, type ProviderName } from './provider-names';
import { providerConfigured } from './providers/configured';
import { providerNotConfigured, refuseModel, unknownModel, unsupportedModelOperation } from './refusals';
import { requestSchemaFor, type GatewayRequestBody } from './request-schemas';

/**
 * The models a request may be served by: `model`, then the fallbacks it lists in `models`
 * (OpenRouter's parameter; `models` alone names the first choice too). Every one of them passes
 * the checks the first does — the key may use it, the catalog has it for this operation, this
 * installation can call its provider, the body is valid for it — before anything is reserved, so
 * a fallback can never reach a model the request could not have named on its own.
 */

/** Models per request in all, the first choice included (OpenRouter allows a handful too). */
export const MAX_MODELS = 5;

const modelId = z.string({ error: 'you must provide a model parameter' }).min(1, 'you must provide a model parameter');
const modelFields = z
  .looseObject({
    model: modelId.optional(),
    models: z
      .array(z.string({ error: 'must be a list of model ids' }).min(1, 'a model id must not be empty'), { error: 'must be a list of model ids' })
      .min(1, 'must name at least one model')
      .max(MAX_MODELS, `at most ${MAX_MODELS} models per request`)
      .optional(),
  })
  .refine((body) => body.model !== undefined || body.models !== undefined, { message: 'you must provide a model parameter', path: ['model'] });

/** The model ids a body names, first choice first, each once. Throws a ZodError (400) for a malformed list. */
export function requestedModels(raw: Record<string, unknown>): string[] {
  const { model, models = [] } = modelFields.parse(raw);
  const ids = [...new Set(model === undefined ? models : [model, ...models])];
  if (ids.length > MAX_MODELS) throw new z.ZodError([{ code: 'custom', path: ['models'], message: `at most ${MAX_MODELS} models per request, model included`, input: raw.models }]);
  return ids;
}

/** The catalog entry of `id` if `key` may send `operation` to it here; the refusal a client would get otherwise. */
export function usableModel(id: string, key: KeyRecord, operation: Operation, param: 'model' | 'models'): CatalogModel {
  if (!modelAllowed(id, key.allowedModels)) throw refuseModel(id, undefined, param);
  const model = catalog.get(id);
  if (!model) throw unknownModel(id, param);
  // A key limited to some providers refuses the others' models as it refuses any model it may not use.
  if (!providerAllowed(model.provider, key.allowedProviders)) throw refuseModel(id, `it may only use models of ${providerList(key.allowedProviders!)}`, param);
  if (!model.operations.includes(operation)) throw unsupportedModelOperation(id, operation, param);
  // Before admission: nothing is reserved or counted for a model this installation cannot call.
  if (!providerConfigured(model.provider)) throw providerNotConfigured(id, PROVIDER_LABELS[model.provider], param);
  return model;
}

/** The body checked against every candidate's limits (max_tokens no larger than any of them produces); the first's parse is kept. */
export function checkedBody(operation: Operation, models: readonly CatalogModel[], raw: Record<string, unknown>): GatewayRequestBody {
  // A body that names its models in `models` alone is sent on with the first of them as `model`.
  const named = raw.model === undefined ? { ...raw, model: models[0]!.id } : raw;
  const bodies = models.map((model) => requestSchemaFor(operation, model).parse(named));
  return bodies[0]!;
}

const providerList = (providers: readonly ProviderName[]) => providers.map((provider) => PROVIDER_LABELS[provider]).join(', ');

/**
 * What the request may cost at most, whichever candidate serves it: the dearest prompt and the
 * dearest output price of them all. Admission reserves this, so answering from a fallback can never
 * pass a limit the first choice would have respected.
 */
export function costBound(operation: Operation, models: readonly CatalogModel[], body: GatewayRequestBody): CostBound {
  const bounds = models.map((model) => modelCostBound(operation, model, body));
  return {
    promptCost: Math.max(...bounds.map((bound) => bound.promptCost)),
    outputPrice: Math.max(...bounds.map((bound) => bound.outputPrice)),
    requestedOutputTokens: bounds[0]!.requestedOutputTokens,
    modelMaxOutputTokens: Math.max(...bounds.map((bound) => bound.modelMaxOutputTokens)),
  };
}

function modelCostBound(operation: Operation, model: CatalogModel, body: GatewayRequestBody): CostBound {
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
 * The body `model` is sent: its own upstream id, no `models` (a provider would refuse a parameter
 * it does not know), and — without the client's max_tokens — the output capped to what the budget
 * left pays for, or to what this model produces if that is less.
 */
export function upstreamBodyFor(operation: Operation, model: CatalogModel, body: GatewayRequestBody, cost: CostBound, budgetTokens: number): Record<string, unknown> {
  const upstream: Record<string, unknown> = { ...body, model: model.upstreamModel };
  delete upstream.models;
  const cap = Math.min(budgetTokens, model.maxOutputTokens);
  if (cost.requestedOutputTokens === null && operation !== 'embeddings' && cap < model.maxOutputTokens) {
    upstream[operation === 'responses' ? 'max_output_tokens' : 'max_tokens'] = cap;
  }
  return upstream;
}
