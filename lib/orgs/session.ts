import 'server-only';
import { cookies } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { getDb } from '@/db';
import { listUserMemberships, type MembershipSummary } from '@/db/queries/organizations';
import type { User } from '@/db/schema';
import { currentUser } from '@/lib/auth/session';
import { notPermitted, type Actor } from './actor';
import { can, type Permission, type Role } from './permissions';

/** Which of a person's organizations this browser is working in (a hint: membership is checked on every request). */
export const ACTIVE_ORGANIZATION_COOKIE = 'conduit-org';

export interface Member {
  user: User;
  /** The organization acted on, and the person's role in it. */
  account: { id: string; name: string; role: Role };
  /** Every organization the person belongs to (the switcher). */
  memberships: MembershipSummary[];
  actor: Actor;
}

/**
 * The signed-in person and the organization this request acts on: the one the browser chose if
 * they still belong to it, else their own (same id as the person), else the first they joined.
 * Read once per request (React's cache): the layout and the page share it.
 */
export const currentMember = cache(async (): Promise<Member | 'no_organization' | undefined> => {
  const user = await currentUser();
  if (!user) return undefined;
  const memberships = await listUserMemberships(await getDb(), user.id);
  const chosen = (await cookies()).get(ACTIVE_ORGANIZATION_COOKIE)?.value;
  const active =
    memberships.find((m) => m.organizationId === chosen) ??
    memberships.find((m) => m.organizationId === user.id) ??
    memberships[0];
  if (!active) return 'no_organization';
  return {
    user,
    account: { id: active.organizationId, name: active.name, role: active.role },
    memberships,
    actor: { accountId: active.organizationId, userId: user.id, email: user.email, role: active.role },
  };
});

/**
 * The member for a page: to /login without a session, to create an organization without one,
 * and Next's 403 page (app/forbidden.tsx) when their role lacks `permission`.
 */
export async function requireMember(permission?: Permission): Promise<Member> {
  const member = await currentMember();
  if (!member) redirect('/login');
  if (member === 'no_organization') redirect('/organizations/new');
  if (permission && !can(member.account.role, permission)) forbidden();
  return member;
}

/**
 * The member for a server action: as requireMember, but a missing permission is an ApiError(403)
 * the action turns into a message on its form — the buttons are hidden for such roles, so only
 * a stale page or a hand-made request gets here.
 */
export async function requireMemberFor(permission: Permission): Promise<Member> {
  const member = await requireMember();
  if (!can(member.account.role, permission)) throw notPermitted(member.account.role, permission);
  return member;
}

/** For server actions that answer with a form state: the member, or the message to show instead. */
export async function memberAllowed(permission: Permission): Promise<{ ok: true; member: Member } | { ok: false; error: string }> {
  const member = await requireMember();
  if (can(member.account.role, permission)) return { ok: true, member };
  return { ok: false, error: notPermitted(member.account.role, permission).message };
}
