import { z } from 'zod';
import { dollarsSchema, type Micros } from '@/lib/money';
import { OPERATIONS, type Operation } from '@/lib/keys/schema';
import data from './models.json';
import { PROVIDERS, type ProviderName } from './provider-names';

/** The model catalog (models.json), validated once at load: a bad entry fails at start-up. */

export { PROVIDERS, type ProviderName };

const modelSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.enum(PROVIDERS),
  upstream_model: z.string().min(1),
  operations: z.array(z.enum(OPERATIONS)).min(1),
  // cache_write: writing a prompt-cache breakpoint (Anthropic: 1.25× input); absent, writes cost the input price.
  price: z.strictObject({ input: dollarsSchema, cached_input: dollarsSchema, cache_write: dollarsSchema.optional(), output: dollarsSchema }),
  context_window: z.number().int().positive(),
  max_output_tokens: z.number().int().min(0),
});

export interface CatalogModel {
  id: string;
  provider: ProviderName;
  upstreamModel: string;
  operations: Operation[];
  /** Micro-dollars per 1M tokens. */
  price: { input: Micros; cachedInput: Micros; cacheWrite: Micros; output: Micros };
  contextWindow: number;
  maxOutputTokens: number;
}

export const catalog: ReadonlyMap<string, CatalogModel> = new Map(
  z
    .object({ models: z.array(modelSchema) })
    .parse(data)
    .models.map((model) => [
      model.id,
      {
        id: model.id,
        provider: model.provider,
        upstreamModel: model.upstream_model,
        operations: model.operations,
        price: { input: model.price.input, cachedInput: model.price.cached_input, cacheWrite: model.price.cache_write ?? model.price.input, output: model.price.output },
        contextWindow: model.context_window,
        maxOutputTokens: model.max_output_tokens,
      },
    ]),
);

/** A key's providers; an empty (or, from an older cached record, absent) list allows every provider. */
export function providerAllowed(provider: ProviderName, allowed: readonly string[] | undefined): boolean {
  return !allowed || allowed.length === 0 || allowed.includes(provider);
}

/** Exact ids or `prefix*` patterns; an empty list allows every model. */
export function modelAllowed(model: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : model === pattern));
}
