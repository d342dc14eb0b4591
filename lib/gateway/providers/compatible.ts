import 'server-only';
import { env } from '@/lib/env';
import { compatibleProvider, type CompatibleProfile } from './openai';
import type { Provider } from './types';

/**
 * Providers served through their OpenAI-compatible APIs. Each is on when its key is configured
 * (GEMINI_API_KEY, MISTRAL_API_KEY, GROQ_API_KEY, DEEPSEEK_API_KEY) and its base URL can point
 * elsewhere (a regional endpoint, a mock in tests). What differs between them is only how a
 * stream reports usage:
 *
 * - Gemini, Groq and DeepSeek take `stream_options.include_usage` and end the stream with a
 *   usage chunk, as OpenAI does (Groq also puts it under `x_groq.usage`, which the tap reads too).
 * - Mistral puts usage in the last chunk of every stream, unasked; it is not sent the option.
 */
const profile = (name: CompatibleProfile['name'], label: string, streamUsage: CompatibleProfile['streamUsage'], keys: () => [string, string | undefined]) => ({
  name,
  label,
  streamUsage,
  config: () => {
    const [baseUrl, apiKey] = keys();
    return { baseUrl, apiKey, timeoutMs: env().UPSTREAM_TIMEOUT_MS };
  },
});

export const geminiProvider = (): Provider => compatibleProvider(profile('gemini', 'Google Gemini', 'ask', () => [env().GEMINI_BASE_URL, env().GEMINI_API_KEY]));
export const mistralProvider = (): Provider => compatibleProvider(profile('mistral', 'Mistral', 'always', () => [env().MISTRAL_BASE_URL, env().MISTRAL_API_KEY]));
export const groqProvider = (): Provider => compatibleProvider(profile('groq', 'Groq', 'ask', () => [env().GROQ_BASE_URL, env().GROQ_API_KEY]));
export const deepseekProvider = (): Provider => compatibleProvider(profile('deepseek', 'DeepSeek', 'ask', () => [env().DEEPSEEK_BASE_URL, env().DEEPSEEK_API_KEY]));
