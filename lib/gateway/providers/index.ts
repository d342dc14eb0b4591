import 'server-only';
import type { ProviderName } from '../catalog';
import { anthropicProvider } from './anthropic';
import { echoProvider } from './echo';
import { openAIProvider } from './openai';
import type { Provider } from './types';

let providers: Record<ProviderName, Provider> | undefined;

/** The provider that serves a catalog entry (built once, from configuration). */
export function providerFor(name: ProviderName): Provider {
  providers ??= { openai: openAIProvider(), anthropic: anthropicProvider(), echo: echoProvider };
  return providers[name];
}
