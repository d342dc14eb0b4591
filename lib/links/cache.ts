import 'server-only';
import { getDb } from '@/db';
import { layered } from '@/lib/cache/layered';
import { isLinkId } from './ids';
import { findActiveLinkTokenByHash, findLiveLinkById } from '@/db/queries/links';
import { toLinkRecord, type LinkRecord } from './record';

/** Where the proxy finds a link (by id) and an access token (by hash): memory, Redis, PostgreSQL. */
export { LOCAL_TTL_MS } from '@/lib/cache/layered';

export interface LinkTokenEntry {
  linkId: string;
  tokenId: string;
  /** Kept so the caller can compare it with the presented token's hash in constant time. */
  hash: string;
}

const linkLayer = layered<LinkRecord>('conduit:link', async (linkId) => {
  const row = await findLiveLinkById(await getDb(), linkId);
  return row ? toLinkRecord(row) : null;
});

const tokenLayer = layered<LinkTokenEntry>('conduit:link-token', async (hash) => {
  return (await findActiveLinkTokenByHash(await getDb(), hash)) ?? null;
});

/** The live link with this id (enabled or not), or null. Malformed ids never reach Redis. */
export const lookupLink = async (linkId: string): Promise<LinkRecord | null> => (isLinkId(linkId) ? linkLayer.lookup(linkId) : null);

/** The active token with this SHA-256 hash (hex), on a live link, or null. */
export const lookupLinkToken = async (hash: string): Promise<LinkTokenEntry | null> =>
  /^[0-9a-f]{64}$/.test(hash) ? tokenLayer.lookup(hash) : null;

export const forgetLink = (linkId: string) => linkLayer.forget(linkId);
export const publishLink = (record: LinkRecord) => linkLayer.publish(record.id, record);
export const retireLink = (linkId: string) => linkLayer.retire(linkId);

export const forgetLinkToken = (hash: string) => tokenLayer.forget(hash);
export const publishLinkToken = (entry: LinkTokenEntry) => tokenLayer.publish(entry.hash, entry);
export const retireLinkToken = (hash: string) => tokenLayer.retire(hash);
