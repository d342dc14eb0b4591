'use client';

import Link from 'next/link';
import { useRef } from 'react';
import type { MembershipSummary } from '@/db/queries/organizations';
import { switchOrganizationAction } from '../members/actions';

/** Which organization the dashboard shows; choosing another reloads it there. */
export function OrganizationSwitcher({ memberships, active }: { memberships: MembershipSummary[]; active: string }) {
  const form = useRef<HTMLFormElement>(null);
  return (
    <form ref={form} action={switchOrganizationAction} className="flex min-w-0 items-center gap-2">
      <label htmlFor="organization-switcher" className="sr-only">
        Organization
      </label>
      <select
        id="organization-switcher"
        name="organizationId"
        defaultValue={active}
        onChange={() => form.current?.requestSubmit()}
        className="max-w-40 truncate rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm"
      >
        {memberships.map((m) => (
          <option key={m.organizationId} value={m.organizationId}>
            {m.name} ({m.role})
          </option>
        ))}
      </select>
      <noscript>
        <button type="submit" className="text-sm">
          Switch
        </button>
      </noscript>
      <Link href="/organizations/new" className="text-xs whitespace-nowrap text-brand-700 hover:underline">
        New
      </Link>
    </form>
  );
}
