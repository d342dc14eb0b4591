import 'server-only';
import { env, type Env } from '@/lib/env';
import type { ProviderName } from '../provider-names';

/**
 * Whether this installation can serve a provider's models: Conduit holds its API key. The offline
 * `echo` provider needs nothing. Read from the parsed configuration (one cached object), so the
 * gateway asks on every request at no cost — no I/O, nothing to cache or invalidate.
 */
const configured: Record<ProviderName, (env: Env) => boolean> = {
  openai: (e) => Boolean(e.OPENAI_API_KEY),
  anthropic: (e) => Boolean(e.ANTHROPIC_API_KEY),
  gemini: (e) => Boolean(e.GEMINI_API_KEY),
  mistral: (e) => Boolean(e.MISTRAL_API_KEY),
  groq: (e) => Boolean(e.GROQ_API_KEY),
  deepseek: (e) => Boolean(e.DEEPSEEK_API_KEY),
  echo: () => true,
};

export function providerConfigured(name: ProviderName): boolean {
  return configured[name](env());
}

