import type { ApiKeyRow } from '@/db/schema';
import { rateOrderIssues, spendOrderIssues, type LimitOrderIssue } from './limit-order';
import type { KeyCreateInput, KeyUpdateInput } from './schema';

/** The columns a create or update sets, from validated API input (snake_case → columns). */
export function columnsFromInput(input: KeyCreateInput | KeyUpdateInput): Partial<ApiKeyRow> {
  const columns: Partial<ApiKeyRow> = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.description !== undefined) columns.description = input.description || null;
  if (input.allowed_models !== undefined) columns.allowedModels = input.allowed_models;
  if (input.allowed_operations !== undefined) columns.allowedOperations = input.allowed_operations;
  if (input.allowed_providers !== undefined) columns.allowedProviders = input.allowed_providers;
  if (input.ip_allowlist !== undefined) columns.ipAllowlist = input.ip_allowlist;
  if (input.expires_at !== undefined) columns.expiresAt = input.expires_at;
  const rate = input.rate_limits ?? {};
  if (rate.per_minute !== undefined) columns.rateLimitPerMinute = rate.per_minute;
  if (rate.per_hour !== undefined) columns.rateLimitPerHour = rate.per_hour;
  if (rate.per_day !== undefined) columns.rateLimitPerDay = rate.per_day;
  const spend = input.spending_limits ?? {};
  if (spend.day !== undefined) columns.spendLimitDay = spend.day;
  if (spend.week !== undefined) columns.spendLimitWeek = spend.week;
  if (spend.month !== undefined) columns.spendLimitMonth = spend.month;
  return columns;
}

/**
 * The window-order rule on what an update leaves stored: an API PATCH may send one limit and
 * contradict another that is already saved. Only the groups the patch touches are judged, so a
 * key saved before the rule existed can still be renamed.
 */
export function limitOrderIssuesAfter(before: ApiKeyRow, patch: Partial<ApiKeyRow>): LimitOrderIssue[] {
  const after = { ...before, ...patch };
  const touches = (columns: (keyof ApiKeyRow)[]) => columns.some((column) => column in patch);
  return [
    ...(touches(['rateLimitPerMinute', 'rateLimitPerHour', 'rateLimitPerDay'])
      ? rateOrderIssues({ per_minute: after.rateLimitPerMinute, per_hour: after.rateLimitPerHour, per_day: after.rateLimitPerDay }, ['rate_limits'])
      : []),
    ...(touches(['spendLimitDay', 'spendLimitWeek', 'spendLimitMonth'])
      ? spendOrderIssues({ day: after.spendLimitDay, week: after.spendLimitWeek, month: after.spendLimitMonth }, ['spending_limits'])
      : []),
  ];
}

type Changes = Record<string, { from: unknown; to: unknown }>;

const comparable = (value: unknown) => (value instanceof Date ? value.toISOString() : JSON.stringify(value ?? null));

/** What an update really changes, for the audit log; unchanged fields are left out. */
export function diffColumns(before: ApiKeyRow, patch: Partial<ApiKeyRow>): Changes {
  const changes: Changes = {};
  for (const [field, to] of Object.entries(patch) as [keyof ApiKeyRow, unknown][]) {
    const from = before[field];
    if (comparable(from) !== comparable(to)) {
      changes[field] = { from: from instanceof Date ? from.toISOString() : from, to: to instanceof Date ? to.toISOString() : to };
    }
  }
  return changes;
}

/** The management API's name for each audited column (the audit log stores column names). */
const apiFieldNames: Partial<Record<keyof ApiKeyRow, string>> = {
  allowedModels: 'allowed_models',
  allowedOperations: 'allowed_operations',
  allowedProviders: 'allowed_providers',
  ipAllowlist: 'ip_allowlist',
  expiresAt: 'expires_at',
  rateLimitPerMinute: 'rate_limits.per_minute',
  rateLimitPerHour: 'rate_limits.per_hour',
  rateLimitPerDay: 'rate_limits.per_day',
  spendLimitDay: 'spending_limits.day',
  spendLimitWeek: 'spending_limits.week',
  spendLimitMonth: 'spending_limits.month',
};

export function changesForApi(changes: Changes | null): Changes | null {
  if (!changes) return null;
  return Object.fromEntries(Object.entries(changes).map(([field, change]) => [apiFieldNames[field as keyof ApiKeyRow] ?? field, change]));
}
