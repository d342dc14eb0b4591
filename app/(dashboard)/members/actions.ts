'use server';

import { revalidatePath } from 'next/cache';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { deleteOrganization } from '@/lib/auth/account-deletion';
import { currentUser } from '@/lib/auth/session';
import { ApiError } from '@/lib/errors';
import {
  acceptInvitation,
  changeMemberRole,
  createOrganization,
  inviteMember,
  organizationNameSchema,
  removeMember,
  renameOrganization,
  revokeInvitation,
  transferOwnership,
} from '@/lib/orgs/members';
import { ACTIVE_ORGANIZATION_COOKIE, requireMember } from '@/lib/orgs/session';
import { emailLinkOriginOf } from '@/lib/email/origin';
import { describeDependency, unavailableDependency } from '@/lib/unavailable';

/**
 * The members page's and the organization switcher's actions. The services (lib/orgs/members.ts)
 * check every role; these parse the form, call them, and word what they refused.
 */

export interface MembersFormState {
  error?: string;
  success?: string;
  /** What was typed, shown again after an error. */
  values?: Record<string, string>;
}

const idSchema = z.string().trim().min(1).max(200);

async function attempt(run: () => Promise<string>): Promise<MembersFormState> {
  try {
    const success = await run();
    revalidatePath('/members');
    return { success };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { error: error.message };
    if (error instanceof z.ZodError) return { error: error.issues[0]?.message ?? 'Check the form.' };
    const down = unavailableDependency(error);
    if (down) return { error: `Conduit cannot reach ${describeDependency(down)} right now. Try again in a moment.` };
    throw error;
  }
}

async function rememberOrganization(organizationId: string): Promise<void> {
  (await cookies()).set(ACTIVE_ORGANIZATION_COOKIE, organizationId, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 24 * 60 * 60 });
}

export async function switchOrganizationAction(formData: FormData): Promise<void> {
  const { memberships } = await requireMember();
  const id = idSchema.safeParse(formData.get('organizationId'));
  // Only to an organization the person belongs to; anything else leaves the choice as it was.
  if (id.success && memberships.some((m) => m.organizationId === id.data)) await rememberOrganization(id.data);
  redirect('/dashboard');
}

export async function createOrganizationAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const user = await currentUser();
  if (!user) redirect('/login');
  const name = organizationNameSchema.safeParse(formData.get('name') ?? '');
  if (!name.success) return { error: name.error.issues[0]?.message, values: { name: String(formData.get('name') ?? '') } };
  const id = await createOrganization(user, name.data);
  await rememberOrganization(id);
  redirect('/dashboard');
}

export async function renameOrganizationAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor } = await requireMember();
  return attempt(async () => {
    await renameOrganization(actor, String(formData.get('name') ?? ''));
    revalidatePath('/', 'layout');
    return 'Renamed.';
  });
}

export async function inviteMemberAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor, user, account } = await requireMember();
  const values = { email: String(formData.get('email') ?? ''), role: String(formData.get('role') ?? '') };
  const result = await attempt(async () => {
    await inviteMember(actor, user, values, account.name, emailLinkOriginOf(await headers()));
    return `Invitation sent to ${values.email.trim().toLowerCase()}.`;
  });
  return result.error ? { ...result, values } : result;
}

export async function revokeInvitationAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor } = await requireMember();
  return attempt(async () => {
    await revokeInvitation(actor, idSchema.parse(formData.get('id')));
    return 'Invitation revoked.';
  });
}

export async function changeRoleAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor } = await requireMember();
  return attempt(async () => {
    await changeMemberRole(actor, idSchema.parse(formData.get('userId')), String(formData.get('role') ?? ''));
    return 'Role changed.';
  });
}

export async function removeMemberAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor } = await requireMember();
  const memberId = idSchema.safeParse(formData.get('userId'));
  if (!memberId.success) return { error: 'No such member in this organization.' };
  const result = await attempt(async () => {
    await removeMember(actor, memberId.data);
    return 'Member removed.';
  });
  // Leaving: this organization is no longer theirs to look at.
  if (!result.error && memberId.data === actor.userId) redirect('/dashboard');
  return result;
}

export async function transferOwnershipAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    await transferOwnership(actor, idSchema.parse(formData.get('userId')));
    return 'transferred';
  });
  if (result.error) return result;
  // The button that asked is gone from the page now (only an owner has it): the page says it.
  redirect('/members?transferred=1');
}

export async function deleteOrganizationAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const { actor, account } = await requireMember();
  // Typing the name is the confirmation: nothing is deleted unless it matches exactly.
  if (String(formData.get('confirmName') ?? '').trim() !== account.name) return { error: `Type ${account.name} to confirm.` };
  const result = await attempt(async () => {
    await deleteOrganization(actor);
    return 'Deleted.';
  });
  if (result.error) return result;
  (await cookies()).delete(ACTIVE_ORGANIZATION_COOKIE);
  redirect('/dashboard');
}

export async function acceptInvitationAction(_prev: MembersFormState, formData: FormData): Promise<MembersFormState> {
  const user = await currentUser();
  if (!user) redirect('/login');
  const result = await acceptInvitation(user, formData.get('token'));
  if (!result.ok) {
    return { error: result.reason === 'other_address' ? `This invitation is for another address; you are signed in as ${user.email}.` : 'This invitation has expired, was revoked or was already used.' };
  }
  await rememberOrganization(result.organizationId);
  redirect('/dashboard');
}
