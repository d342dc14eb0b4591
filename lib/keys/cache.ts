import 'server-only';
import { getDb } from '@/db';
import { findLiveKeyByHash } from '@/db/queries/keys';
import { layered } from '@/lib/cache/layered';
import { toKeyRecord, type KeyRecord } from './record';

/** Where the gateway finds a key by its secret's hash: memory, then Redis, then PostgreSQL. */
const keys = layered<KeyRecord>('conduit:key', async (hash) => {
  const row = await findLiveKeyByHash(await getDb(), hash);
  return row ? toKeyRecord(row) : null;
});

export const lookupKey = (hash: string): Promise<KeyRecord | null> => keys.lookup(hash);
export const forgetKey = (hash: string): Promise<void> => keys.forget(hash);
export const publishKey = (record: KeyRecord): Promise<void> => keys.publish(record.hash, record);
export const retireHash = (hash: string): Promise<void> => keys.retire(hash);
