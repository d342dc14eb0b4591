import type { Metadata } from 'next';
import Link from 'next/link';
import { currentUser } from '@/lib/auth/session';
import { invitationFor } from '@/lib/orgs/members';
import { ROLE_LABELS } from '@/lib/orgs/permissions';
import { acceptInvitationAction } from '../../(dashboard)/members/actions';
import { ActionButton } from '../../(dashboard)/members/_components/member-forms';

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };

// A button rather than accepting on GET: mail scanners and link previews open links by themselves.
export default async function InvitePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token: raw } = await searchParams;
  const token = typeof raw === 'string' ? raw : '';
  const [invitation, user] = await Promise.all([invitationFor(token), currentUser()]);
  if (!invitation) {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">Invitation not valid</h1>
        <p className="text-sm text-zinc-600">This invitation has expired, was revoked or was already used. Ask for a new one.</p>
      </>
    );
  }
  const back = `/invite?token=${encodeURIComponent(token)}`;
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Join {invitation.organizationName}</h1>
      <p className="mb-6 text-sm text-zinc-600" data-testid="invitation-summary">
        {invitation.inviterEmail ?? 'A member'} invited {invitation.email} to join as {ROLE_LABELS[invitation.role]}.
      </p>
      {!user ? (
        <p className="text-sm text-zinc-700">
          <Link className="font-medium text-brand-700 hover:underline" href={`/signup?next=${encodeURIComponent(back)}&email=${encodeURIComponent(invitation.email)}`}>
            Sign up
          </Link>{' '}
          or{' '}
          <Link className="font-medium text-brand-700 hover:underline" href={`/login?next=${encodeURIComponent(back)}`}>
            log in
          </Link>{' '}
          as {invitation.email} to accept.
        </p>
      ) : user.email !== invitation.email ? (
        <p role="alert" className="text-sm text-red-700">
          This invitation is for {invitation.email}; you are signed in as {user.email}. Log out and sign in with that address to accept.
        </p>
      ) : (
        <ActionButton action={acceptInvitationAction} fields={{ token }} label={`Join ${invitation.organizationName}`} variant="primary" />
      )}
    </>
  );
}
