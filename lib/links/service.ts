import 'server-only';
import { eq } from 'drizzle-orm';
import { getDb, type Database } from '@/db';
import { links, type LinkRow } from '@/db/schema';
import { assertCan, type Actor } from '@/lib/orgs/actor';
import { recordAudit } from '@/lib/orgs/audit';
import { forgetLink, forgetLinkToken, publishLink, retireLink, retireLinkToken } from './cache';
import { invalidFieldError } from '@/lib/errors';
import { columnsFromInput, limitOrderIssuesAfter } from './changes';
import { linkNotFound } from './errors';
import { newLinkId } from './ids';
import { findLiveLink, listActiveLinkTokens, listLiveLinks, lockLiveLink } from '@/db/queries/links';
import { toLinkRecord } from './record';
import type { LinkCreateInput, LinkUpdateInput } from './schema';
import { insertLinkToken, publishToken, type LinkTokenWithSecret } from './tokens';

/**
 * The link lifecycle, shared by the dashboard's server actions and the management API: both
 * validate with lib/links/schema.ts and call these. Like API keys (lib/keys/service.ts), each
 * change clears the proxy's cache before the commit and republishes it after.
 */

export type { Actor } from '@/lib/orgs/actor';
export type { LinkTokenWithSecret } from './tokens';
export { createLinkToken, listLinkTokens, revokeLinkToken } from './tokens';

export interface CreatedLink {
  link: LinkRow;
  /** The link's first access token; its plaintext is shown this once. */
  token: LinkTokenWithSecret;
}

export async function createLink(actor: Actor, input: LinkCreateInput): Promise<CreatedLink> {
  assertCan(actor, 'links.manage');
  const db = await getDb();
  const columns = columnsFromInput(input);
  const created = await db.transaction(async (tx) => {
    const [link] = await tx
      .insert(links)
      .values({
        ...columns,
        id: newLinkId(),
        userId: actor.accountId,
        name: input.name,
        preset: input.preset,
        upstreamBaseUrl: input.upstream_base_url,
        secretSealed: columns.secretSealed!,
        injection: input.injection,
        allowedPaths: input.allowed_paths,
      })
      .returning();
    await recordAudit(tx, actor, 'link.created', `link:${link!.id}`, { name: input.name });
    return { link: link!, token: await insertLinkToken(tx, link!.id, 'Default') };
  });
  await publishLink(toLinkRecord(created.link));
  await publishToken(created.token.token);
  return created;
}

export async function listLinks(accountId: string): Promise<LinkRow[]> {
  return listLiveLinks(await getDb(), accountId);
}

export async function getLink(accountId: string, linkId: string): Promise<LinkRow> {
  const link = await findLiveLink(await getDb(), accountId, linkId);
  if (!link) throw linkNotFound(linkId);
  return link;
}

/** Locks the link row, applies the patch `change` computes, commits, then publishes. */
async function changeLink(
  actor: Actor,
  linkId: string,
  action: 'updated' | 'enabled' | 'disabled' | 'deleted',
  change: (before: LinkRow, tx: Database) => Partial<LinkRow> | Promise<Partial<LinkRow>>,
): Promise<LinkRow> {
  assertCan(actor, 'links.manage');
  const db = await getDb();
  const after = await db.transaction(async (tx) => {
    const before = await lockLiveLink(tx, actor.accountId, linkId);
    if (!before) throw linkNotFound(linkId);
    const patch = await change(before, tx);
    // Field names only: a link's patch can carry its (sealed) secret.
    await recordAudit(tx, actor, `link.${action}`, `link:${linkId}`, action === 'updated' ? { fields: Object.keys(patch).filter((field) => field !== 'updatedAt') } : undefined);
    // Cleared before the commit: if Redis is unreachable the change is refused, rather than
    // saved while the proxy keeps serving the old settings (or the old secret).
    await forgetLink(linkId);
    const [row] = await tx
      .update(links)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(links.id, linkId))
      .returning();
    return row!;
  });
  if (after.deletedAt) await retireLink(after.id);
  else await publishLink(toLinkRecord(after));
  return after;
}

/** Also how the secret is replaced (`secret` in the input): the old sealed value is overwritten. */
export function updateLink(actor: Actor, linkId: string, input: LinkUpdateInput): Promise<LinkRow> {
  return changeLink(actor, linkId, 'updated', (before) => {
    const patch = columnsFromInput(input, before);
    const [contradiction] = limitOrderIssuesAfter(before, patch);
    if (contradiction) throw invalidFieldError(contradiction);
    return patch;
  });
}

export function replaceSecret(actor: Actor, linkId: string, secret: string): Promise<LinkRow> {
  return updateLink(actor, linkId, { secret });
}

export function setLinkEnabled(actor: Actor, linkId: string, enabled: boolean): Promise<LinkRow> {
  return changeLink(actor, linkId, enabled ? 'enabled' : 'disabled', () => ({ enabled }));
}

/**
 * The link stops serving at once and its tokens stop verifying; the row (and so its usage
 * history) is kept. Its sealed secret is overwritten: a deleted link needs no secret.
 */
export async function deleteLink(actor: Actor, linkId: string): Promise<void> {
  let hashes: string[] = [];
  await changeLink(actor, linkId, 'deleted', async (_before, tx) => {
    // Read under the link's lock, which createLinkToken takes too: no token can slip past.
    hashes = (await listActiveLinkTokens(tx, linkId)).map((token) => token.hash);
    for (const hash of hashes) await forgetLinkToken(hash);
    return { deletedAt: new Date(), enabled: false, secretSealed: '', secretHint: null, jwt: null };
  });
  for (const hash of hashes) await retireLinkToken(hash);
}
