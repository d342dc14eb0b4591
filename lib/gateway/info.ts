import 'server-only';
import type { KeyRecord } from '@/lib/keys/record';
import { readKeySpend } from '@/lib/limits/spend-counters';
import { SPEND_WINDOWS, windowReset } from '@/lib/limits/windows';
import { catalog, modelAllowed, providerAllowed } from './catalog';
import { providerConfigured } from './providers/configured';

/** GET /v1/models — the catalog, as far as this installation serves it and this key may use it. */
export function listModels(key: KeyRecord): Response {
  const data = [...catalog.values()]
    .filter((model) => providerConfigured(model.provider))
    .filter((model) => modelAllowed(model.id, key.allowedModels) && providerAllowed(model.provider, key.allowedProviders))
    .filter((model) => key.allowedOperations.length === 0 || model.operations.some((op) => key.allowedOperations.includes(op)))
    .map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.provider }));
  return Response.json({ object: 'list', data });
}

/** GET /v1/key — the calling key's limits, spend and remaining budget per window (like OpenRouter's). */
export async function keyInfo(key: KeyRecord): Promise<Response> {
  const now = new Date();
  const spend = (await readKeySpend([key], now)).get(key.id) ?? { day: 0, week: 0, month: 0 };
  const windows = Object.fromEntries(
    SPEND_WINDOWS.map((window) => {
      const limit = key.spendLimits[window];
      return [
        window,
        { limit, spent: spend[window], remaining: limit === null ? null : Math.max(0, limit - spend[window]), resets_at: windowReset(window, now).toISOString() },
      ];
    }),
  );
  return Response.json({
    data: {
      id: key.id,
      allowed_models: key.allowedModels,
      allowed_operations: key.allowedOperations,
      allowed_providers: key.allowedProviders ?? [],
      expires_at: key.expiresAt === null ? null : new Date(key.expiresAt).toISOString(),
      rate_limits: { per_minute: key.rateLimits.minute, per_hour: key.rateLimits.hour, per_day: key.rateLimits.day },
      spending_limits: windows,
      currency: 'USD',
      amounts_in: 'micro-dollars',
    },
  });
}
