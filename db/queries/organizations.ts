import 'server-only';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Database } from '../open';
import {
  auditLog,
  invitations,
  managementTokens,
  memberships,
  organizations,
  users,
  type AuditLogRow,
  type InvitationRow,
  type Role,
} from '../schema';

export interface MembershipSummary {
  organizationId: string;
  name: string;
  role: Role;
}

/** A new organization with its first member as owner. */
export async function insertOrganization(db: Database, values: { id?: string; name: string; ownerId: string }): Promise<string> {
  const [row] = await db.insert(organizations).values({ id: values.id, name: values.name }).returning({ id: organizations.id });
  await db.insert(memberships).values({ organizationId: row!.id, userId: values.ownerId, role: 'owner' });
  return row!.id;
}

export async function organizationExists(db: Database, organizationId: string): Promise<boolean> {
  const rows = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return rows.length > 0;
}

export async function renameOrganization(db: Database, organizationId: string, name: string): Promise<void> {
  await db.update(organizations).set({ name }).where(eq(organizations.id, organizationId));
}

export async function listUserMemberships(db: Database, userId: string): Promise<MembershipSummary[]> {
  return db
    .select({ organizationId: memberships.organizationId, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(organizations.name));
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  emailAlerts: boolean;
  joinedAt: Date;
}

export async function listMembers(db: Database, organizationId: string): Promise<MemberRow[]> {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      emailAlerts: memberships.emailAlerts,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, organizationId))
    .orderBy(asc(memberships.createdAt));
}

/** The organization's members, locked for the rest of the transaction (role changes serialise on them). */
export async function lockMembers(tx: Database, organizationId: string): Promise<{ userId: string; role: Role; email: string }[]> {
  return tx
    .select({ userId: memberships.userId, role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, organizationId))
    .for('update', { of: memberships });
}

export async function addMembership(db: Database, values: { organizationId: string; userId: string; role: Role }): Promise<boolean> {
  const rows = await db.insert(memberships).values(values).onConflictDoNothing().returning({ userId: memberships.userId });
  return rows.length > 0;
}

export async function setMemberRole(db: Database, organizationId: string, userId: string, role: Role): Promise<void> {
  await db.update(memberships).set({ role }).where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
}

/** Removes a member and revokes the management tokens they made for this organization. */
export async function deleteMembership(db: Database, organizationId: string, userId: string): Promise<void> {
  await db.delete(memberships).where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
  await db
    .update(managementTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(managementTokens.userId, organizationId), eq(managementTokens.createdBy, userId), sql`${managementTokens.revokedAt} is null`));
}

export async function setMemberEmailAlerts(db: Database, organizationId: string, userId: string, on: boolean): Promise<void> {
  await db.update(memberships).set({ emailAlerts: on }).where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
}

/** Addresses of the members who asked for the organization's alerts by email. */
export async function alertRecipients(db: Database, organizationId: string): Promise<string[]> {
  const rows = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.emailAlerts, true)));
  return rows.map((row) => row.email);
}

// ── invitations ──────────────────────────────────────────────────────────────

/** A new invitation replaces any earlier one to the same address (its link stops working). */
export async function replaceInvitation(db: Database, values: typeof invitations.$inferInsert): Promise<void> {
  await db.delete(invitations).where(and(eq(invitations.organizationId, values.organizationId), eq(invitations.email, values.email)));
  await db.insert(invitations).values(values);
  await db.delete(invitations).where(lt(invitations.expiresAt, sql`now() - interval '1 day'`));
}

export async function listInvitations(db: Database, organizationId: string): Promise<InvitationRow[]> {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.organizationId, organizationId), gt(invitations.expiresAt, sql`now()`)))
    .orderBy(desc(invitations.createdAt));
}

export async function deleteInvitation(db: Database, organizationId: string, id: string): Promise<InvitationRow | undefined> {
  const [row] = await db
    .delete(invitations)
    .where(and(eq(invitations.organizationId, organizationId), eq(invitations.id, id)))
    .returning();
  return row;
}

export interface InvitationView extends InvitationRow {
  organizationName: string;
  inviterEmail: string | null;
}

/** A live invitation by its token's hash, with what the acceptance page shows. */
export async function findInvitation(db: Database, hash: string): Promise<InvitationView | undefined> {
  const [row] = await db
    .select({ invitation: invitations, organizationName: organizations.name, inviterEmail: users.email })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.hash, hash), gt(invitations.expiresAt, sql`now()`)))
    .limit(1);
  return row && { ...row.invitation, organizationName: row.organizationName, inviterEmail: row.inviterEmail };
}

/** Uses an invitation: one statement, so of two racing acceptances exactly one gets the row. */
export async function takeInvitation(db: Database, hash: string, email: string): Promise<InvitationRow | undefined> {
  const [row] = await db
    .delete(invitations)
    .where(and(eq(invitations.hash, hash), eq(invitations.email, email), gt(invitations.expiresAt, sql`now()`)))
    .returning();
  return row;
}

// ── audit log ────────────────────────────────────────────────────────────────

export async function insertAuditEntry(db: Database, values: typeof auditLog.$inferInsert): Promise<void> {
  await db.insert(auditLog).values(values);
}

export async function listAuditEntries(db: Database, organizationId: string, limit: number): Promise<AuditLogRow[]> {
  return db.select().from(auditLog).where(eq(auditLog.organizationId, organizationId)).orderBy(desc(auditLog.createdAt)).limit(limit);
}

/** Organizations in which `userId` is the only owner while others are members (account deletion must not orphan them). */
export async function organizationsOnlyOwnedBy(db: Database, userId: string): Promise<{ id: string; name: string; members: number }[]> {
  const rows = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      owners: sql<number>`(select count(*)::int from ${memberships} m where m.organization_id = ${organizations.id} and m.role = 'owner')`,
      members: sql<number>`(select count(*)::int from ${memberships} m where m.organization_id = ${organizations.id})`,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(and(eq(memberships.userId, userId), eq(memberships.role, 'owner')));
  return rows.filter((row) => Number(row.owners) === 1).map((row) => ({ id: row.id, name: row.name, members: Number(row.members) }));
}

/** The organizations whose only member is `userId`: deleting the account deletes them. */
export async function soleMemberOrganizations(tx: Database, userId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: memberships.organizationId })
    .from(memberships)
    .where(
      and(
        eq(memberships.userId, userId),
        sql`not exists (select 1 from ${memberships} other where other.organization_id = ${memberships.organizationId} and other.user_id <> ${userId})`,
      ),
    );
  return rows.map((row) => row.id);
}

export async function deleteOrganizationRow(db: Database, organizationId: string): Promise<void> {
  await db.delete(organizations).where(eq(organizations.id, organizationId));
}

/** Locks the organization row (deletion and membership changes of one organization serialise on it). */
export async function lockOrganization(tx: Database, organizationId: string): Promise<{ id: string; name: string } | undefined> {
  const [row] = await tx.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, organizationId)).for('update');
  return row;
}
