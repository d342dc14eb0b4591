import { formatDollars } from '@/lib/money';
import { formatTime } from '../format';

/**
 * An update's audit entry records changed columns as { from, to } (lib/keys/changes.ts). This
 * turns them into words: labels people know, money in dollars, times in UTC.
 */

type Kind = 'text' | 'list' | 'requests' | 'money' | 'time';

const fields: Record<string, [label: string, kind: Kind]> = {
  name: ['Name', 'text'],
  description: ['Description', 'text'],
  allowedModels: ['Allowed models', 'list'],
  allowedOperations: ['Allowed operations', 'list'],
  allowedProviders: ['Allowed providers', 'list'],
  ipAllowlist: ['IP allowlist', 'list'],
  expiresAt: ['Expires', 'time'],
  rateLimitPerMinute: ['Requests per minute', 'requests'],
  rateLimitPerHour: ['Requests per hour', 'requests'],
  rateLimitPerDay: ['Requests per day', 'requests'],
  spendLimitDay: ['Daily spending limit', 'money'],
  spendLimitWeek: ['Weekly spending limit', 'money'],
  spendLimitMonth: ['Monthly spending limit', 'money'],
};

function show(kind: Kind, value: unknown): string {
  switch (kind) {
    case 'list':
      return Array.isArray(value) && value.length > 0 ? value.join(', ') : 'any';
    case 'requests':
      return typeof value === 'number' ? value.toLocaleString('en-US') : 'no limit';
    case 'money':
      return typeof value === 'number' && Number.isSafeInteger(value) ? formatDollars(value) : 'no limit';
    case 'time':
      return typeof value === 'string' ? formatTime(value) : 'never';
    case 'text':
      return typeof value === 'string' && value !== '' ? value : '(none)';
  }
}

export interface ChangeLine {
  label: string;
  from: string;
  to: string;
}

export function describeChanges(changes: Record<string, { from: unknown; to: unknown }> | null): ChangeLine[] {
  return Object.entries(changes ?? {}).map(([field, { from, to }]) => {
    const [label, kind] = fields[field] ?? [field, 'text'];
    return { label, from: show(kind, from), to: show(kind, to) };
  });
}
