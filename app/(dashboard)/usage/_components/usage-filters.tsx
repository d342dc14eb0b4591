'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, useTransition } from 'react';
import { filtersQuery, GROUPS, STATUS_CLASSES, type UsageFilters } from '@/lib/usage/filters';

export interface FilterOptions {
  keys: { id: string; label: string }[];
  links: { id: string; label: string }[];
  models: string[];
}

const GROUP_LABELS: Record<(typeof GROUPS)[number], string> = {
  none: 'Nothing',
  key: 'Key',
  link: 'Link',
  model: 'Model',
  end_user: 'End user',
  status: 'Status',
};

const select = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm';

/** Range, granularity, filters and grouping; every change is a new URL (shareable, back-button safe). */
export function UsageFiltersBar({ filters, options, showGroup = true }: { filters: UsageFilters; options: FilterOptions; showGroup?: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  // Changes made before the page re-renders build on each other, not on the stale props.
  const latest = useRef<Partial<UsageFilters>>({ ...filters, cursor: undefined });
  useEffect(() => {
    latest.current = { ...filters, cursor: undefined };
  }, [filters]);
  const change = (name: keyof UsageFilters, value: string) => {
    const next = { ...latest.current, [name]: value || undefined, ...(name === 'range' && value !== 'custom' ? { from: undefined, to: undefined } : {}) };
    latest.current = next;
    startTransition(() => router.push(`${pathname}${filtersQuery(next)}`));
  };

  const field = (label: string, name: keyof UsageFilters, choices: { value: string; label: string }[], empty?: string) => (
    <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600">
      {label}
      <select aria-label={label} className={select} value={String(filters[name] ?? '')} onChange={(e) => change(name, e.target.value)}>
        {empty !== undefined ? <option value="">{empty}</option> : null}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="flex flex-wrap items-end gap-3" aria-busy={pending} data-testid="usage-filters">
      {field('Range', 'range', [
        { value: '24h', label: 'Last 24 hours' },
        { value: '7d', label: 'Last 7 days' },
        { value: '30d', label: 'Last 30 days' },
        { value: 'custom', label: 'Custom' },
      ])}
      {filters.range === 'custom' ? (
        <>
          <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600">
            From
            <input type="date" aria-label="From" className={select} value={filters.from ?? ''} onChange={(e) => change('from', e.target.value)} />
          </label>
          <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600">
            To
            <input type="date" aria-label="To" className={select} value={filters.to ?? ''} onChange={(e) => change('to', e.target.value)} />
          </label>
        </>
      ) : null}
      {field('Granularity', 'granularity', [
        { value: 'hour', label: 'Hourly' },
        { value: 'day', label: 'Daily' },
      ], 'Auto')}
      {field('Key', 'key', options.keys.map((k) => ({ value: k.id, label: k.label })), 'All keys')}
      {field('Link', 'link', options.links.map((l) => ({ value: l.id, label: l.label })), 'All links')}
      {field('Model', 'model', options.models.map((m) => ({ value: m, label: m })), 'All models')}
      <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600">
        End user
        {/* Free text: end users can be thousands, too many to list. Applied on Enter or leaving the field. */}
        <input
          key={filters.endUser ?? ''}
          aria-label="End user"
          placeholder="All end users"
          className={`${select} w-36`}
          defaultValue={filters.endUser ?? ''}
          onBlur={(e) => e.target.value.trim() !== (filters.endUser ?? '') && change('endUser', e.target.value.trim())}
          onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
        />
      </label>
      {field('Status', 'status', STATUS_CLASSES.map((s) => ({ value: s, label: s })), 'Any status')}
      {showGroup ? field('Group by', 'group', GROUPS.map((g) => ({ value: g, label: GROUP_LABELS[g] }))) : null}
      {pending ? <span className="pb-1 text-xs text-zinc-500">Updating…</span> : null}
    </div>
  );
}
