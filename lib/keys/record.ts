import type { ApiKeyRow } from '@/db/schema';
import type { Micros } from '@/lib/money';
import type { ProviderName } from '@/lib/gateway/provider-names';
import type { Operation } from './schema';

/**
 * What the gateway needs to know about a key, small enough to cache in Redis and in memory.
 * Built from the database row; the row stays the source of truth.
 */
export interface KeyRecord {
  id: string;
  userId: string;
  hash: string;
  enabled: boolean;
  /** Epoch ms, or null for never. */
  expiresAt: number | null;
  allowedModels: string[];
  allowedOperations: Operation[];
  /**
   * Providers whose models the key may use; empty = all. Absent from records an earlier release
   * cached in Redis (kept up to a week): read as empty, which is what every key then had.
   */
  allowedProviders?: ProviderName[];
  ipAllowlist: string[];
  rateLimits: { minute: number | null; hour: number | null; day: number | null };
  spendLimits: { day: Micros | null; week: Micros | null; month: Micros | null };
}

export function toKeyRecord(row: ApiKeyRow): KeyRecord {
  return {
    id: row.id,
    userId: row.userId,
    hash: row.hash,
    enabled: row.enabled,
    expiresAt: row.expiresAt?.getTime() ?? null,
    allowedModels: row.allowedModels,
    allowedOperations: row.allowedOperations as Operation[],
    allowedProviders: row.allowedProviders as ProviderName[],
    ipAllowlist: row.ipAllowlist,
    rateLimits: { minute: row.rateLimitPerMinute, hour: row.rateLimitPerHour, day: row.rateLimitPerDay },
    spendLimits: { day: row.spendLimitDay, week: row.spendLimitWeek, month: row.spendLimitMonth },
  };
}
