import 'server-only';
import { ApiError } from '@/lib/errors';
import { can, PERMISSIONS, ROLE_LABELS, type Permission, type Role } from './permissions';

/**
 * Who is acting on which organization: the dashboard's member or a management token (which acts
 * with its maker's current role). Services take ownership from `accountId`, check `role` with
 * assertCan — so a page, a server action and the management API are refused alike — and write
 * `userId` / `tokenId` into their history.
 */
export interface Actor {
  /** The organization acted on: it owns the keys, links, credit and usage. */
  accountId: string;
  /** The person acting, also when through a management token. */
  userId: string;
  /** The person's address, copied into the audit log (which outlives their account). */
  email?: string;
  role: Role;
  /** Set when acting through a management token. */
  tokenId?: string;
}

export function assertCan(actor: Pick<Actor, 'role'>, permission: Permission): void {
  if (!can(actor.role, permission)) throw notPermitted(actor.role, permission);
}

export function notPermitted(role: Role, permission: Permission): ApiError {
  const what = PERMISSIONS[permission].charAt(0).toLowerCase() + PERMISSIONS[permission].slice(1);
  return new ApiError(403, 'permission_denied', `Your role (${ROLE_LABELS[role]}) does not allow this: ${what}. Ask an owner or admin.`);
}

/** A person acting in their own organization (same id as theirs), where they are the owner: scripts and tests. */
export function personalActor(userId: string): Actor {
  return { accountId: userId, userId, role: 'owner' };
}
