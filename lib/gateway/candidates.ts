import 'server-only';
import { z } from 'zod';
import { ApiError } from '@/lib/errors';
import type { KeyRecord } from '@/lib/keys/record';
import type { Operation } from '@/lib/keys/schema';
import type { CostBound } from '@/lib/limits/admission';
import { costMicros } from '@/lib/money';
import { catalog, modelAllowed, providerAllowed, type CatalogModel } from './catalog';
import { marksPromptCache, promptTokenBound } from './estimate';
import { PROVIDER_LABELS, type ProviderName } from './provider-names';
import { providerFor } from './providers';
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

export interface RequestedModel {
  id: string;
  /** The field that named it: what a refusal of it names in `param`. */
  param: 'model' | 'models';
}

/** The models a body names, first choice first, each once. Throws a ZodError (400) for a malformed list. */
export function requestedModels(raw: Record<string, unknown>, operation: Operation): RequestedModel[] {
  const { model, models = [] } = modelFields.parse(raw);
  const ids = [...new Set(model === undefined ? models : [model, ...models])];
  const refuse = (message: string) => new z.ZodError([{ code: 'custom', path: ['models'], message, input: raw.models }]);
  if (ids.length > MAX_MODELS) throw refuse(`at most ${MAX_MODELS} models per request, model included`);
  // Another embedding model answers in another vector space (and size): never a silent substitute.
  if (operation === 'embeddings' && ids.length > 1) throw refuse('embeddings take one model: vectors of another model do not compare with the first one\'s');
  return ids.map((id, i) => ({ id, param: i === 0 && model !== undefined ? 'model' : 'models' }));
}

/** The catalog entry of `id` if `key` may send `operation` to it here; the refusal a client would get otherwise. */
export function usableModel({ id, param }: RequestedModel, key: KeyRecord, operation: Operation): CatalogModel {
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

const providerList = (providers: readonly ProviderName[]) => providers.map((provider) => PROVIDER_LABELS[provider]).join(', ');

/**
 * The body, checked once against the tightest of the models' limits (the schemas differ only by
 * the largest output, so max_tokens must suit the model that produces least — the message names
 * it). With fallbacks, each model's provider is asked too whether it could carry the request (the
 * Anthropic translation refuses `n` > 1, say): a model that never could is refused now, before
 * anything is reserved, rather than ending the attempts with a 400 another model would not give.
 */
export function checkedBody(operation: Operation, models: readonly CatalogModel[], raw: Record<string, unknown>): GatewayRequestBody {
  // A body that names its models in `models` alone is sent on with the first of them as `model`.
  const named = raw.model === undefined ? { ...raw, model: models[0]!.id } : raw;
  const tightest = models.reduce((least, model) => (model.maxOutputTokens < least.maxOutputTokens ? model : least));
  const body = requestSchemaFor(operation, tightest).parse(named);
  if (models.length > 1) {
    const stream = 'stream' in body && body.stream === true;
    for (const model of models) {
      const refusal = providerFor(model.provider).refusal?.({ operation, upstreamModel: model.upstreamModel, body, stream });
      if (refusal) throw new ApiError(refusal.status, refusal.code, `The model '${model.id}' cannot take this request: ${refusal.message}`, { type: refusal.type, param: refusal.param ?? 'models' });
    }
  }
  return body;
}

/** Output choices the request is billed for: n (or legacy best_of) for every prompt of a legacy completion. */
function choicesOf(operation: Operation, body: GatewayRequestBody): number {
  const limits = body as { n?: number | null; best_of?: number | null; prompt?: unknown };
  const prompts = operation === 'completions' && Array.isArray(limits.prompt) && limits.prompt.some((p) => typeof p !== 'number') ? limits.prompt.length : 1;
  return Math.max(limits.n ?? 1, limits.best_of ?? 1) * prompts;
}

/** Micro-dollars per 1M output tokens of `model` for this request: n choices each produce up to max_tokens. */
const outputPrice = (model: CatalogModel, choices: number) => model.price.output * choices;

/**
 * What the request may cost at most, whichever model serves it; admission reserves this, so an
 * answer from a fallback can never pass a limit the first choice would have respected.
 *
 * - The prompt at the dearest model's price (at its cache-write price if the body marks a cache
 *   breakpoint and writes cost more than input there).
 * - With the client's max_tokens: that many tokens at the dearest output price.
 * - Without: admission caps the output at T tokens of `outputPrice` (the budget left, or the
 *   largest model maximum), and each model is then sent its own cap (upstreamBodyFor) so that its
 *   output costs at most T × `outputPrice`. `outputPrice` is the dearest whole answer a model can
 *   give (its price × its maximum) spread over the largest maximum, not the dearest price times the
 *   largest maximum: an expensive model with short answers beside a cheap one with long answers
 *   would otherwise reserve many times what either could cost.
 */
export function costBound(operation: Operation, models: readonly CatalogModel[], body: GatewayRequestBody): CostBound {
  const limits = body as { max_tokens?: number | null; max_completion_tokens?: number | null; max_output_tokens?: number | null };
  const requested = operation === 'embeddings' ? null : (limits.max_output_tokens ?? limits.max_completion_tokens ?? limits.max_tokens ?? null);
  const promptTokens = promptTokenBound(operation, body);
  // Only bodies sent to a model whose cache writes cost more than input are searched for a breakpoint.
  const cacheWrites = models.some((model) => model.price.cacheWrite > model.price.input) && marksPromptCache(body);
  const promptPrice = Math.max(...models.map((model) => (cacheWrites && model.price.cacheWrite > model.price.input ? model.price.cacheWrite : model.price.input)));
  const choices = choicesOf(operation, body);
  const maxOutput = operation === 'embeddings' ? 0 : Math.max(...models.map((model) => model.maxOutputTokens));
  const price =
    requested !== null || maxOutput === 0
      ? Math.max(...models.map((model) => outputPrice(model, choices)))
      : Math.ceil(Math.max(...models.map((model) => outputPrice(model, choices) * model.maxOutputTokens)) / maxOutput);
  return { promptCost: costMicros(promptTokens, promptPrice), outputPrice: price, requestedOutputTokens: requested, modelMaxOutputTokens: maxOutput };
}

/**
 * The body `model` is sent: its own upstream id, no `models` (a provider would refuse a parameter
 * it does not know), and — without the client's max_tokens — its output capped so that it costs at
 * most what admission reserved for `budgetTokens` (see costBound), and never past its own maximum.
 */
export function upstreamBodyFor(operation: Operation, model: CatalogModel, body: GatewayRequestBody, cost: CostBound, budgetTokens: number): Record<string, unknown> {
  const upstream: Record<string, unknown> = { ...body, model: model.upstreamModel };
  delete upstream.models;
  if (cost.requestedOutputTokens !== null || operation === 'embeddings') return upstream;
  const price = outputPrice(model, choicesOf(operation, body));
  const cap = price === 0 ? model.maxOutputTokens : Math.min(model.maxOutputTokens, Math.floor((budgetTokens * cost.outputPrice) / price));
  if (cap < model.maxOutputTokens) upstream[operation === 'responses' ? 'max_output_tokens' : 'max_tokens'] = cap;
  return upstream;
}
