import 'server-only';
import type { ProviderName } from '../catalog';
import { anthropicProvider } from './anthropic';
import { deepseekProvider, geminiProvider, groqProvider, mistralProvider } from './compatible';
import { echoProvider } from './echo';
import { openAIProvider } from './openai';
import type { Provider } from './types';

let providers: Record<ProviderName, Provider> | undefined;

/** The provider that serves a catalog entry (built once, from configuration). */
export function providerFor(name: ProviderName): Provider {
  providers ??= {
    openai: openAIProvider(),
    anthropic: anthropicProvider(),
    gemini: geminiProvider(),
    mistral: mistralProvider(),
    groq: groqProvider(),
    deepseek: deepseekProvider(),
    echo: echoProvider,
  };
  return providers[name];
}
