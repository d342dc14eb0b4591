import type { Role } from '@/db/schema/organizations';

export { ROLES, type Role } from '@/db/schema/organizations';

/**
 * What a member may do, by role: the one table every page, server action and management API call
 * asks (through requireMember / the management API's actor). README "Organizations and roles"
 * prints the same table; lib/orgs/permissions.test.ts checks every cell.
 */
export const PERMISSIONS = {
  'usage.view': 'See usage, the request log and notifications',
  'keys.view': 'See API keys and their history',
  'keys.manage': 'Create, change, regenerate and delete API keys',
  'playground.use': 'Try models in the playground, billed through a key of the organization',
  'links.view': 'See links and their usage',
  'links.manage': 'Create, change and delete links and their access tokens',
  'tokens.manage': 'Create and revoke their own management tokens',
  'billing.view': 'See the credit balance and payment history',
  'billing.manage': 'Buy credit, set up automatic top-ups, open the Stripe portal',
  'alerts.manage': 'Change the alert thresholds and webhook',
  'members.view': 'See members and pending invitations',
  'members.manage': 'Invite members, change roles below owner, remove members',
  'audit.view': 'Read the audit log',
  'organization.manage': 'Rename or delete the organization, transfer ownership',
} as const;

export type Permission = keyof typeof PERMISSIONS;

const everyone: readonly Permission[] = ['usage.view', 'keys.view', 'links.view', 'billing.view', 'members.view'];
const builders: readonly Permission[] = [...everyone, 'keys.manage', 'playground.use', 'links.manage', 'tokens.manage'];
const administrators: readonly Permission[] = [...builders, 'billing.manage', 'alerts.manage', 'members.manage', 'audit.view'];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set([...administrators, 'organization.manage']),
  admin: new Set(administrators),
  developer: new Set(builders),
  viewer: new Set(everyone),
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** Roles a member with `role` may give or take away (an admin cannot make or unmake an owner). */
export function assignableRoles(role: Role): readonly Role[] {
  if (role === 'owner') return ['admin', 'developer', 'viewer'];
  if (role === 'admin') return ['admin', 'developer', 'viewer'];
  return [];
}

export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', developer: 'Developer', viewer: 'Viewer' };
