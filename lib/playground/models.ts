import 'server-only';
import type { ApiKeyRow } from '@/db/schema';
import { modelAllowed, providerAllowed } from '@/lib/gateway/catalog';
import { availableModels, type ListedModel } from '@/lib/gateway/model-list';
import { keyState } from '@/lib/keys/present';

/** A key as the playground's picker shows it: what it is called and which chat models it may use here. */
export interface PlaygroundKey {
  id: string;
  name: string;
  /** Why it cannot be used right now (disabled, expired), or null. */
  unusable: string | null;
  models: string[];
}

const chatModels = (): ListedModel[] => availableModels().filter((model) => model.operations.includes('chat'));

/** The account's live keys, each with the chat models it may call on this installation. */
export function playgroundKeys(rows: readonly ApiKeyRow[], now = new Date()): PlaygroundKey[] {
  const models = chatModels();
  return rows.map((row) => {
    const state = keyState(row, now);
    const chat = row.allowedOperations.length === 0 || row.allowedOperations.includes('chat');
    return {
      id: row.id,
      name: row.name,
      unusable: state === 'active' ? null : state,
      models: chat ? models.filter((model) => modelAllowed(model.id, row.allowedModels) && providerAllowed(model.provider, row.allowedProviders)).map((model) => model.id) : [],
    };
  });
}

/** The prices of the chat models, for the cost shown under an answer (the gateway bills the same). */
export const playgroundCatalog = (): ListedModel[] => chatModels();
