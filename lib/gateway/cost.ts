import type { CatalogModel } from './catalog';
import { costMicros, type Micros } from '@/lib/money';
import type { OpenAIUsage } from './sse-tap';

export interface TokenCounts {
  /** Every prompt token, cached and written ones included. */
  inputTokens: number;
  cachedInputTokens: number;
  /** Prompt tokens written to a prompt cache (Anthropic's cache_creation_input_tokens); 0 if not reported. */
  cacheWriteTokens?: number;
  outputTokens: number;
}

const count = (value: number | null | undefined) => Math.max(0, Math.floor(value ?? 0));

/** Token counts from a usage object: chat and completions' names, the Responses API's, or DeepSeek's cache count. */
export function tokenCounts(usage: OpenAIUsage | null | undefined): TokenCounts {
  const input = count(usage?.prompt_tokens ?? usage?.input_tokens);
  const cachedReported = usage?.prompt_tokens_details?.cached_tokens ?? usage?.input_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens ?? 0;
  const cached = Math.min(input, count(cachedReported));
  const written = Math.min(input - cached, count(usage?.prompt_tokens_details?.cache_write_tokens));
  return { inputTokens: input, cachedInputTokens: cached, cacheWriteTokens: written, outputTokens: count(usage?.completion_tokens ?? usage?.output_tokens) };
}

/** What a request cost at the catalog's prices, rounded up to whole micro-dollars. */
export function requestCost(model: Pick<CatalogModel, 'price'>, tokens: TokenCounts): Micros {
  const written = tokens.cacheWriteTokens ?? 0;
  return (
    costMicros(tokens.inputTokens - tokens.cachedInputTokens - written, model.price.input) +
    costMicros(tokens.cachedInputTokens, model.price.cachedInput) +
    costMicros(written, model.price.cacheWrite) +
    costMicros(tokens.outputTokens, model.price.output)
  );
}
