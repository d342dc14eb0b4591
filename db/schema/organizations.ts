import { sql } from 'drizzle-orm';
import { boolean, check, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './users';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
const roleCheck = (column: string) => sql.raw(`${column} in (${ROLES.map((role) => `'${role}'`).join(', ')})`);

/**
 * Organizations own everything that costs or spends: keys, links, management tokens, credit,
 * usage, alerts, billing. Those tables keep their `user_id` column from when an account was one
 * person: it holds the owning organization's id, and every person's own organization (made at
 * sign-up, and by migration 0011 for accounts that existed before) has the same id as the person
 * — so every id issued before organizations existed still works.
 */
export const organizations = pgTable('organizations', {
  id: text('id')
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text('name').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

/** Who belongs to which organization, with what role (lib/orgs/permissions.ts says what each may do). */
export const memberships = pgTable(
  'memberships',
  {
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    /** Opt-in, per member: the organization's alerts also go to this member's email address. */
    emailAlerts: boolean('email_alerts').notNull().default(false),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (row) => [
    primaryKey({ name: 'memberships_pkey', columns: [row.organizationId, row.userId] }),
    index('memberships_user_idx').on(row.userId),
    check('memberships_role_check', roleCheck('role')),
  ],
);

/**
 * Pending invitations. The link mailed to the address carries a random token; only its SHA-256
 * is stored (as for every secret of ours), so the table cannot be used to accept one. Accepted,
 * revoked and expired invitations are deleted.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** Lower-cased and trimmed, like users.email. */
    email: text('email').notNull(),
    role: text('role').$type<Role>().notNull(),
    hash: text('hash').notNull().unique(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: at('expires_at').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (row) => [
    index('invitations_organization_idx').on(row.organizationId, row.email),
    // Owners are made by transferring ownership, never by invitation.
    check('invitations_role_check', sql`role in ('admin', 'developer', 'viewer')`),
  ],
);

/**
 * Who did what in an organization, newest first on the audit page. The actor's email is copied in,
 * so the entry still says who it was after they leave or delete their account.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    actorUserId: text('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorEmail: text('actor_email'),
    /** Set when the action came through the management API. */
    actorTokenId: text('actor_token_id'),
    action: text('action').notNull(),
    /** What it was done to: `key:<id>`, `link:<id>`, `member:<email>`… */
    target: text('target'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    // clock_timestamp(): several entries of one transaction still list in the order they happened.
    createdAt: at('created_at').notNull().default(sql`clock_timestamp()`),
  },
  (row) => [index('audit_log_organization_idx').on(row.organizationId, row.createdAt)],
);

export type OrganizationRow = typeof organizations.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type AuditLogRow = typeof auditLog.$inferSelect;
