import 'server-only';
import { z } from 'zod';
import { getDb } from '@/db';
import {
  addMembership,
  deleteInvitation,
  deleteMembership,
  findInvitation,
  insertOrganization,
  listInvitations,
  listMembers,
  lockMembers,
  renameOrganization as renameOrganizationRow,
  replaceInvitation,
  setMemberRole,
  takeInvitation,
  type InvitationView,
} from '@/db/queries/organizations';
import { markEmailVerified } from '@/db/queries/users';
import type { User } from '@/db/schema';
import { emailSchema } from '@/lib/auth/credentials-schema';
import { checkInvitationLimit, retryIn } from '@/lib/auth/email-limits';
import { hashToken, newToken } from '@/lib/auth/email-tokens';
import { requireVerifiedEmail } from '@/lib/auth/email-verification';
import { invitationMail } from '@/lib/email/messages';
import { emailLink } from '@/lib/email/origin';
import { queueMail } from '@/lib/email/send';
import { ApiError } from '@/lib/errors';
import { randomId } from '@/lib/keys/secret';
import { assertCan, type Actor } from './actor';
import { recordAudit } from './audit';
import { assignableRoles, ROLE_LABELS } from './permissions';

/**
 * Organizations and their members: creating and renaming, invitations (a mailed link with a
 * random token, only its hash stored, 7 days, single use, for that address only), role changes,
 * removal, leaving and ownership transfer. Every change is checked against the actor's role
 * (lib/orgs/permissions.ts) and written to the audit log in the same transaction.
 */

export const INVITE_PATH = '/invite';
export const INVITATION_DAYS = 7;

export const organizationNameSchema = z.string().trim().min(1, 'Give the organization a name').max(100, 'Names are at most 100 characters');
export const inviteSchema = z.object({
  email: emailSchema,
  role: z.enum(['admin', 'developer', 'viewer'], { error: 'Choose admin, developer or viewer.' }),
});
export const roleSchema = z.enum(['admin', 'developer', 'viewer'], { error: 'Choose admin, developer or viewer.' });

const memberNotFound = () => new ApiError(404, 'member_not_found', 'No such member in this organization.');

/** A new organization, its creator the owner. */
export async function createOrganization(user: Pick<User, 'id' | 'email'>, name: string): Promise<string> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const id = await insertOrganization(tx, { name: organizationNameSchema.parse(name), ownerId: user.id });
    await recordAudit(tx, { accountId: id, userId: user.id, email: user.email }, 'organization.created', undefined, { name });
    return id;
  });
}

export async function renameOrganization(actor: Actor, name: string): Promise<void> {
  assertCan(actor, 'organization.manage');
  const db = await getDb();
  await db.transaction(async (tx) => {
    await renameOrganizationRow(tx, actor.accountId, organizationNameSchema.parse(name));
    await recordAudit(tx, actor, 'organization.renamed', undefined, { name });
  });
}

export const members = async (accountId: string) => listMembers(await getDb(), accountId);
export const pendingInvitations = async (accountId: string) => listInvitations(await getDb(), accountId);

/**
 * Invites an address: mails it a link on `origin`. Needs a verified address of the inviter (what
 * reaches other people does) and is limited per organization. Inviting an address again replaces
 * the earlier invitation. Someone already a member is refused.
 */
export async function inviteMember(actor: Actor, inviter: Pick<User, 'email' | 'emailVerified'>, input: { email: string; role: string }, organizationName: string, origin: string): Promise<void> {
  assertCan(actor, 'members.manage');
  requireVerifiedEmail(inviter, 'inviting members');
  const { email, role } = inviteSchema.parse(input);
  const db = await getDb();
  if ((await listMembers(db, actor.accountId)).some((member) => member.email === email)) {
    throw new ApiError(409, 'already_member', `${email} is already a member of this organization.`, { param: 'email' });
  }
  const limit = await checkInvitationLimit(actor.accountId);
  if (!limit.allowed) throw new ApiError(429, 'too_many_invitations', `Too many invitations from this organization; try again ${retryIn(limit.retryAfterSeconds)}.`);
  const { token, hash } = newToken();
  await db.transaction(async (tx) => {
    await replaceInvitation(tx, {
      id: randomId('inv'),
      organizationId: actor.accountId,
      email,
      role,
      hash,
      invitedBy: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60 * 1000),
    });
    await recordAudit(tx, actor, 'member.invited', `member:${email}`, { role });
  });
  queueMail('invitation', invitationMail(email, { organization: organizationName, inviter: inviter.email, role: ROLE_LABELS[role], link: emailLink(origin, INVITE_PATH, token), days: INVITATION_DAYS }));
}

export async function revokeInvitation(actor: Actor, invitationId: string): Promise<void> {
  assertCan(actor, 'members.manage');
  const db = await getDb();
  await db.transaction(async (tx) => {
    const removed = await deleteInvitation(tx, actor.accountId, invitationId);
    if (!removed) throw new ApiError(404, 'invitation_not_found', 'No such pending invitation.');
    await recordAudit(tx, actor, 'member.invitation_revoked', `member:${removed.email}`);
  });
}

/** The live invitation behind a link's token, for the acceptance page; undefined when dead. */
export async function invitationFor(token: unknown): Promise<InvitationView | undefined> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) return undefined;
  return findInvitation(await getDb(), hashToken(token));
}

export type AcceptResult = { ok: true; organizationId: string } | { ok: false; reason: 'dead' | 'other_address' };

/**
 * Accepts an invitation for the signed-in person: only with the address it was sent to (the link
 * reached that mailbox; someone else holding it gets nothing). Single use, race-free.
 */
export async function acceptInvitation(user: Pick<User, 'id' | 'email'>, token: unknown): Promise<AcceptResult> {
  const invitation = await invitationFor(token);
  if (!invitation) return { ok: false, reason: 'dead' };
  if (invitation.email !== user.email) return { ok: false, reason: 'other_address' };
  const db = await getDb();
  return db.transaction(async (tx) => {
    const taken = await takeInvitation(tx, invitation.hash, user.email);
    if (!taken) return { ok: false, reason: 'dead' } as const;
    // The link reached this mailbox: the address is verified, as a verification link would have.
    await markEmailVerified(tx, user.id, user.email);
    // Already a member (joined through another invitation meanwhile): the role they have stays.
    if (await addMembership(tx, { organizationId: taken.organizationId, userId: user.id, role: taken.role })) {
      await recordAudit(tx, { accountId: taken.organizationId, userId: user.id, email: user.email }, 'member.joined', `member:${user.email}`, { role: taken.role });
    }
    return { ok: true, organizationId: taken.organizationId } as const;
  });
}

/**
 * Changes a member's role below owner. Owners are changed only by transferring ownership, and an
 * admin can neither make nor unmake one.
 */
export async function changeMemberRole(actor: Actor, memberId: string, role: string): Promise<void> {
  assertCan(actor, 'members.manage');
  const parsed = roleSchema.safeParse(role);
  if (!parsed.success) throw new ApiError(400, 'invalid_role', 'Choose admin, developer or viewer (an owner is made by transferring ownership).', { param: 'role' });
  const next = parsed.data;
  if (!assignableRoles(actor.role).includes(next)) throw new ApiError(403, 'permission_denied', `Your role cannot give the role ${ROLE_LABELS[next]}.`);
  const db = await getDb();
  await db.transaction(async (tx) => {
    const target = (await lockMembers(tx, actor.accountId)).find((member) => member.userId === memberId);
    if (!target) throw memberNotFound();
    if (target.role === 'owner') throw new ApiError(409, 'owner_role', 'An owner’s role changes only by transferring ownership.');
    if (target.role === next) return;
    await setMemberRole(tx, actor.accountId, memberId, next);
    await recordAudit(tx, actor, 'member.role_changed', `member:${target.email}`, { from: target.role, to: next });
  });
}

/**
 * Removes a member (or, with their own id, leaves): their management tokens for this organization
 * are revoked with the membership. The owner cannot be removed or leave — ownership goes first.
 */
export async function removeMember(actor: Actor, memberId: string): Promise<void> {
  const leaving = memberId === actor.userId;
  if (!leaving) assertCan(actor, 'members.manage');
  const db = await getDb();
  await db.transaction(async (tx) => {
    const target = (await lockMembers(tx, actor.accountId)).find((member) => member.userId === memberId);
    if (!target) throw memberNotFound();
    if (target.role === 'owner') {
      throw new ApiError(409, 'owner_cannot_leave', leaving ? 'Transfer ownership to another member before leaving.' : 'The owner cannot be removed; they can transfer ownership.');
    }
    // Admins manage the roles below theirs and each other, as assignableRoles says.
    if (!leaving && !assignableRoles(actor.role).includes(target.role)) throw new ApiError(403, 'permission_denied', 'Your role cannot remove this member.');
    await deleteMembership(tx, actor.accountId, memberId);
    await recordAudit(tx, actor, leaving ? 'member.left' : 'member.removed', `member:${target.email}`);
  });
}

/** The owner hands ownership to another member and becomes an admin. */
export async function transferOwnership(actor: Actor, memberId: string): Promise<void> {
  assertCan(actor, 'organization.manage');
  if (memberId === actor.userId) throw new ApiError(400, 'invalid_member', 'Choose another member to transfer ownership to.');
  const db = await getDb();
  await db.transaction(async (tx) => {
    const all = await lockMembers(tx, actor.accountId);
    const target = all.find((member) => member.userId === memberId);
    if (!target) throw memberNotFound();
    // Re-read under the lock: two transfers at once cannot both hand the organization away.
    if (all.find((member) => member.userId === actor.userId)?.role !== 'owner') throw new ApiError(409, 'not_owner', 'You are no longer the owner.');
    await setMemberRole(tx, actor.accountId, memberId, 'owner');
    await setMemberRole(tx, actor.accountId, actor.userId, 'admin');
    await recordAudit(tx, actor, 'organization.ownership_transferred', `member:${target.email}`);
  });
}
