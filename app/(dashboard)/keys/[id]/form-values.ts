import type { ApiKeyRow } from '@/db/schema';
import { microsToDollarString } from '@/lib/money';
import type { KeyFormValues } from '../_components/key-form';

const limit = (value: number | null) => (value === null ? '' : String(value));
const dollars = (micros: number | null) => (micros === null ? '' : microsToDollarString(micros));

/** A key's settings as the edit form shows them: lists one per line, money in dollars. */
export function keyFormValues(key: ApiKeyRow): KeyFormValues {
  return {
    id: key.id,
    name: key.name,
    description: key.description ?? '',
    allowedModels: key.allowedModels.join('\n'),
    allowedOperations: key.allowedOperations,
    allowedProviders: key.allowedProviders,
    ipAllowlist: key.ipAllowlist.join('\n'),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    rate: { per_minute: limit(key.rateLimitPerMinute), per_hour: limit(key.rateLimitPerHour), per_day: limit(key.rateLimitPerDay) },
    spend: { day: dollars(key.spendLimitDay), week: dollars(key.spendLimitWeek), month: dollars(key.spendLimitMonth) },
  };
}
