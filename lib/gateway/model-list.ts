import 'server-only';
import type { Operation } from '@/lib/keys/schema';
import type { Micros } from '@/lib/money';
import { catalog } from './catalog';
import { PROVIDER_LABELS, type ProviderName } from './provider-names';
import { providerConfigured } from './providers/configured';

/**
 * The catalog as the dashboard shows it (the models page, model pickers): every model, with its
 * prices and sizes and whether this installation can call it. Plain data, safe to hand to a client
 * component; the upstream model ids stay on the server.
 */
export interface ListedModel {
  id: string;
  provider: ProviderName;
  providerLabel: string;
  operations: Operation[];
  /** Micro-dollars per 1M tokens. */
  price: { input: Micros; cachedInput: Micros; cacheWrite: Micros; output: Micros };
  contextWindow: number;
  maxOutputTokens: number;
  /** Its provider is configured here: the gateway serves it (otherwise 503 provider_not_configured). */
  available: boolean;
}

export function listCatalog(): ListedModel[] {
  return [...catalog.values()].map((model) => ({
    id: model.id,
    provider: model.provider,
    providerLabel: PROVIDER_LABELS[model.provider],
    operations: model.operations,
    price: model.price,
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxOutputTokens,
    available: providerConfigured(model.provider),
  }));
}

/** The models this installation serves: what a model picker offers. */
export const availableModels = (): ListedModel[] => listCatalog().filter((model) => model.available);
