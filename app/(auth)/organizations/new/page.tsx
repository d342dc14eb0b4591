import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/auth/session';
import { createOrganizationAction } from '../../../(dashboard)/members/actions';
import { TextActionForm } from '../../../(dashboard)/members/_components/member-forms';

export const metadata: Metadata = { title: 'New organization' };

/** Reached from the switcher, or when a person belongs to no organization any more. */
export default async function NewOrganizationPage() {
  if (!(await currentUser())) redirect('/login');
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">New organization</h1>
      <p className="mb-6 text-sm text-zinc-600">Keys, links, credit and usage belong to an organization. You will be its owner and can invite others.</p>
      <TextActionForm action={createOrganizationAction} name="name" label="Organization name" submit="Create organization" />
    </>
  );
}
