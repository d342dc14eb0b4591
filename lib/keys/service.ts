import 'server-only';
import { and, eq, isNull } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { findLiveKey, listKeyEvents, listLiveKeys } from '@/db/queries/keys';
import { apiKeyEvents, apiKeys, type ApiKeyRow, type KeyAction } from '@/db/schema';
import { ApiError, invalidFieldError } from '@/lib/errors';
import { assertCan, type Actor } from '@/lib/orgs/actor';
import { recordAudit } from '@/lib/orgs/audit';
import { forgetKey, publishKey, retireHash } from './cache';
import { columnsFromInput, diffColumns, limitOrderIssuesAfter } from './changes';
import { toKeyRecord } from './record';
import type { KeyCreateInput, KeyUpdateInput } from './schema';
import { generateSecret, randomId } from './secret';

/**
 * The key lifecycle, shared by the dashboard's server actions and the management API: both
 * validate with lib/keys/schema.ts and call these. Each change is one transaction with its
 * audit event; the gateway's cache is cleared before the commit and refilled after it.
 */

export type { Actor } from '@/lib/orgs/actor';

export interface KeyWithSecret {
  key: ApiKeyRow;
  /** The only time the plaintext exists. */
  secret: string;
}

const notFound = (keyId: string) => new ApiError(404, 'key_not_found', `No API key with id ${keyId}.`, { param: 'id' });

async function audit(db: Database, actor: Actor, keyId: string, action: KeyAction, changes?: Record<string, { from: unknown; to: unknown }>) {
  await db.insert(apiKeyEvents).values({
    id: randomId('kev'),
    keyId,
    actorUserId: actor.userId,
    actorTokenId: actor.tokenId ?? null,
    action,
    changes: changes ?? null,
  });
  await recordAudit(db, actor, `key.${action}`, `key:${keyId}`, changes ? { fields: Object.keys(changes) } : undefined);
}

export async function createKey(actor: Actor, input: KeyCreateInput): Promise<KeyWithSecret> {
  assertCan(actor, 'keys.manage');
  const db = await getDb();
  const secret = await generateSecret('apiKey');
  const key = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ ...columnsFromInput(input), id: randomId('key'), userId: actor.accountId, name: input.name, hash: secret.hash, start: secret.start })
      .returning();
    await audit(tx, actor, row!.id, 'created');
    return row!;
  });
  await publishKey(toKeyRecord(key));
  return { key, secret: secret.plaintext };
}

export async function listKeys(accountId: string): Promise<ApiKeyRow[]> {
  return listLiveKeys(await getDb(), accountId);
}

export async function getKey(accountId: string, keyId: string): Promise<ApiKeyRow> {
  const key = await findLiveKey(await getDb(), accountId, keyId);
  if (!key) throw notFound(keyId);
  return key;
}

export async function getKeyEvents(accountId: string, keyId: string) {
  const key = await getKey(accountId, keyId);
  return listKeyEvents(await getDb(), key.id);
}

/**
 * Locks the key row, applies `change`, records the audit event, commits, then publishes.
 * Returns the row after the change.
 */
async function changeKey(
  actor: Actor,
  keyId: string,
  change: (before: ApiKeyRow) => Promise<{ patch: Partial<ApiKeyRow>; action: KeyAction; audited: boolean }>,
): Promise<{ before: ApiKeyRow; after: ApiKeyRow }> {
  assertCan(actor, 'keys.manage');
  const db = await getDb();
  const result = await db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, actor.accountId), isNull(apiKeys.deletedAt)))
      .for('update');
    if (!before) throw notFound(keyId);
    const { patch, action, audited } = await change(before);
    if (!audited) return { before, after: before };
    // Cleared before the commit: if Redis is unreachable the change is refused, rather than
    // saved while the gateway keeps serving the old settings.
    await forgetKey(before.hash);
    const [after] = await tx
      .update(apiKeys)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(apiKeys.id, keyId))
      .returning();
    await audit(tx, actor, keyId, action, action === 'updated' ? diffColumns(before, patch) : undefined);
    return { before, after: after! };
  });
  if (result.after.deletedAt) await retireHash(result.after.hash);
  else await publishKey(toKeyRecord(result.after));
  if (result.before.hash !== result.after.hash) await retireHash(result.before.hash);
  return result;
}

export async function updateKey(actor: Actor, keyId: string, input: KeyUpdateInput): Promise<ApiKeyRow> {
  const { after } = await changeKey(actor, keyId, async (before) => {
    const patch = columnsFromInput(input);
    const [contradiction] = limitOrderIssuesAfter(before, patch);
    if (contradiction) throw invalidFieldError(contradiction);
    return { patch, action: 'updated', audited: Object.keys(diffColumns(before, patch)).length > 0 };
  });
  return after;
}

export async function setKeyEnabled(actor: Actor, keyId: string, enabled: boolean): Promise<ApiKeyRow> {
  const { after } = await changeKey(actor, keyId, async (before) => ({
    patch: { enabled },
    action: enabled ? 'enabled' : 'disabled',
    audited: before.enabled !== enabled,
  }));
  return after;
}

/** New secret, same settings and history; the old secret stops working at once. */
export async function regenerateKey(actor: Actor, keyId: string): Promise<KeyWithSecret> {
  const secret = await generateSecret('apiKey');
  const { after } = await changeKey(actor, keyId, async () => ({
    patch: { hash: secret.hash, start: secret.start },
    action: 'regenerated',
    audited: true,
  }));
  return { key: after, secret: secret.plaintext };
}

/** The key stops working at once; its row (and so its usage history) is kept. */
export async function deleteKey(actor: Actor, keyId: string): Promise<void> {
  await changeKey(actor, keyId, async () => ({ patch: { deletedAt: new Date(), enabled: false }, action: 'deleted', audited: true }));
}
