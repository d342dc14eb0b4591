import 'server-only';
import type { ApiKeyRow, ApiKeyEventRow } from '@/db/schema';
import type { WindowSpend } from '@/lib/limits/spend-counters';
import { windowReset, type SpendWindow } from '@/lib/limits/windows';
import { changesForApi } from './changes';

/** A key as the management API shows it (snake_case; money in integer micro-dollars). */

export type KeyState = 'active' | 'disabled' | 'expired';

export function keyState(key: Pick<ApiKeyRow, 'enabled' | 'expiresAt'>, now = new Date()): KeyState {
  if (!key.enabled) return 'disabled';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
}

function spendWindow(limit: number | null, spent: number, window: SpendWindow, now: Date) {
  return {
    limit,
    spent,
    remaining: limit === null ? null : Math.max(0, limit - spent),
    resets_at: windowReset(window, now).toISOString(),
  };
}

export function presentKey(key: ApiKeyRow, spend: WindowSpend = { day: 0, week: 0, month: 0 }, now = new Date()) {
  return {
    id: key.id,
    object: 'api_key',
    name: key.name,
    description: key.description,
    start: key.start,
    status: keyState(key, now),
    allowed_models: key.allowedModels,
    allowed_operations: key.allowedOperations,
    allowed_providers: key.allowedProviders,
    ip_allowlist: key.ipAllowlist,
    expires_at: key.expiresAt?.toISOString() ?? null,
    rate_limits: { per_minute: key.rateLimitPerMinute, per_hour: key.rateLimitPerHour, per_day: key.rateLimitPerDay },
    spending_limits: {
      day: spendWindow(key.spendLimitDay, spend.day, 'day', now),
      week: spendWindow(key.spendLimitWeek, spend.week, 'week', now),
      month: spendWindow(key.spendLimitMonth, spend.month, 'month', now),
    },
    created_at: key.createdAt.toISOString(),
    updated_at: key.updatedAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
  };
}

export function presentKeyEvent(event: ApiKeyEventRow) {
  return {
    id: event.id,
    action: event.action,
    actor: event.actorTokenId ? { type: 'management_token', id: event.actorTokenId } : { type: 'user', id: event.actorUserId },
    changes: changesForApi(event.changes),
    created_at: event.createdAt.toISOString(),
  };
}
