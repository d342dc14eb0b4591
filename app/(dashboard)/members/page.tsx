import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui/card';
import { FormMessage } from '@/components/ui/form-message';
import { members as listMembers, pendingInvitations } from '@/lib/orgs/members';
import { assignableRoles, can, PERMISSIONS, ROLE_LABELS, ROLES, type Permission } from '@/lib/orgs/permissions';
import { requireMember } from '@/lib/orgs/session';
import {
  changeRoleAction,
  deleteOrganizationAction,
  inviteMemberAction,
  removeMemberAction,
  renameOrganizationAction,
  revokeInvitationAction,
  transferOwnershipAction,
} from './actions';
import { ActionButton, InviteForm, RoleForm, TextActionForm } from './_components/member-forms';

export const metadata: Metadata = { title: 'Members' };

const utc = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium' });

export default async function MembersPage({ searchParams }: { searchParams: Promise<{ transferred?: string }> }) {
  const { user, account } = await requireMember('members.view');
  const transferred = (await searchParams).transferred === '1';
  const [people, invitations] = await Promise.all([listMembers(account.id), pendingInvitations(account.id)]);
  const manages = can(account.role, 'members.manage');
  const owns = can(account.role, 'organization.manage');
  const assignable = assignableRoles(account.role);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Members of {account.name}</h1>
        <p className="mt-1 text-sm text-zinc-600">
          You are {/^[AEIOU]/.test(ROLE_LABELS[account.role]) ? 'an' : 'a'} {ROLE_LABELS[account.role]} here.{' '}
          {can(account.role, 'audit.view') ? (
            <Link href="/audit" className="font-medium text-brand-700 hover:underline">
              Audit log
            </Link>
          ) : null}
        </p>
      </div>

      {transferred ? <FormMessage success="Ownership transferred. You are now an admin of this organization." /> : null}

      <Card title="Members">
        <div className="relative overflow-x-auto">
          <table aria-label="Members" className="min-w-full text-sm">
            <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="py-2 pr-4">Member</th>
                <th scope="col" className="py-2 pr-4">Role</th>
                <th scope="col" className="py-2 pr-4">Joined</th>
                <th scope="col" className="py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {people.map((person) => {
                const self = person.userId === user.id;
                const managed = manages && !self && assignable.includes(person.role);
                return (
                  <tr key={person.userId} data-testid="member-row" data-email={person.email}>
                    <td className="py-2 pr-4 break-all">
                      {person.email}
                      {self ? <span className="ml-1 text-xs text-zinc-500">(you)</span> : null}
                    </td>
                    <td className="py-2 pr-4">
                      {managed ? <RoleForm action={changeRoleAction} userId={person.userId} role={person.role} email={person.email} /> : <span data-testid="member-role">{ROLE_LABELS[person.role]}</span>}
                    </td>
                    <td className="py-2 pr-4 whitespace-nowrap">{utc.format(person.joinedAt)}</td>
                    <td className="space-x-2 py-2">
                      {managed ? (
                        <ActionButton action={removeMemberAction} fields={{ userId: person.userId }} label="Remove" variant="danger" confirm={`Remove ${person.email}? Their management tokens for ${account.name} stop working.`} />
                      ) : null}
                      {owns && !self ? (
                        <ActionButton action={transferOwnershipAction} fields={{ userId: person.userId }} label="Make owner" confirm={`Make ${person.email} the owner of ${account.name}? You become an admin.`} />
                      ) : null}
                      {self && person.role !== 'owner' ? (
                        <ActionButton action={removeMemberAction} fields={{ userId: person.userId }} label="Leave" variant="danger" confirm={`Leave ${account.name}?`} />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>

      {manages ? (
        <Card title="Invite a member">
          <p className="mb-4 text-sm text-zinc-600">They get a link by email, valid for 7 days, that works only for that address.</p>
          <InviteForm action={inviteMemberAction} />
        </Card>
      ) : null}

      <Card title="Pending invitations">
        {invitations.length === 0 ? (
          <p className="text-sm text-zinc-600">No pending invitations.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 text-sm">
            {invitations.map((invitation) => (
              <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="invitation-row">
                <span className="break-all">
                  {invitation.email} — {ROLE_LABELS[invitation.role]}, until {utc.format(invitation.expiresAt)}
                </span>
                {manages ? <ActionButton action={revokeInvitationAction} fields={{ id: invitation.id }} label="Revoke" /> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="What each role may do">
        <div className="relative overflow-x-auto">
          <table aria-label="Permissions" className="min-w-full text-sm">
            <thead className="text-left text-xs font-medium text-zinc-500 uppercase">
              <tr>
                <th scope="col" className="py-2 pr-4">Permission</th>
                {ROLES.map((role) => (
                  <th key={role} scope="col" className="py-2 pr-4">
                    {ROLE_LABELS[role]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {(Object.keys(PERMISSIONS) as Permission[]).map((permission) => (
                <tr key={permission}>
                  <td className="py-2 pr-4">{PERMISSIONS[permission]}</td>
                  {ROLES.map((role) => (
                    <td key={role} className="py-2 pr-4">
                      {can(role, permission) ? '✓' : <span className="text-zinc-400">—</span>}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>

      {owns ? (
        <Card title="Organization">
          <div className="space-y-8">
            <TextActionForm action={renameOrganizationAction} name="name" label="Name" submit="Rename" defaultValue={account.name} />
            {account.id === user.id ? (
              <p className="text-sm text-zinc-600">This is your own organization: it is deleted with your account (Settings).</p>
            ) : (
              <TextActionForm
                action={deleteOrganizationAction}
                name="confirmName"
                label={`Delete ${account.name}: type its name`}
                hint="Every key, link and token stops at once; usage, credit and history are deleted."
                submit="Delete organization"
                variant="danger"
              />
            )}
          </div>
        </Card>
      ) : null}
    </div>
  );
}
