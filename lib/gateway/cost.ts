import type { CatalogModel } from './catalog';
import { costMicros, type Micros } from '@/lib/money';
import type { OpenAIUsage } from './sse-tap';

export interface TokenCounts {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
}

/** Token counts from a usage object: chat and completions' names, the Responses API's, or DeepSeek's cache count. */
export function tokenCounts(usage: OpenAIUsage | null | undefined): TokenCounts {
  const input = Math.max(0, Math.floor(usage?.prompt_tokens ?? usage?.input_tokens ?? 0));
  const cachedReported = usage?.prompt_tokens_details?.cached_tokens ?? usage?.input_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens ?? 0;
  const cached = Math.min(input, Math.max(0, Math.floor(cachedReported)));
  return { inputTokens: input, cachedInputTokens: cached, outputTokens: Math.max(0, Math.floor(usage?.completion_tokens ?? usage?.output_tokens ?? 0)) };
}

/** What a request cost at the catalog's prices, rounded up to whole micro-dollars. */
export function requestCost(model: Pick<CatalogModel, 'price'>, tokens: TokenCounts): Micros {
  return (
    costMicros(tokens.inputTokens - tokens.cachedInputTokens, model.price.input) +
    costMicros(tokens.cachedInputTokens, model.price.cachedInput) +
    costMicros(tokens.outputTokens, model.price.output)
  );
}
