import 'server-only';
import type { Database } from '@/db';
import { insertAuditEntry } from '@/db/queries/organizations';
import { randomId } from '@/lib/keys/secret';
import type { Actor } from './actor';

/**
 * The organization's audit log: who did what, written in the same transaction as the change
 * (a change that rolls back leaves no entry; an entry never describes something that did not
 * happen). Actions are `<noun>.<verb>`: key.created, link.deleted, member.invited…
 */
export async function recordAudit(
  db: Database,
  actor: Pick<Actor, 'accountId' | 'userId' | 'tokenId'> & { email?: string },
  action: string,
  target?: string,
  details?: Record<string, unknown>,
): Promise<void> {
  await insertAuditEntry(db, {
    id: randomId('aud'),
    organizationId: actor.accountId,
    actorUserId: actor.userId,
    actorEmail: actor.email ?? null,
    actorTokenId: actor.tokenId ?? null,
    action,
    target: target ?? null,
    details: details ?? null,
  });
}
