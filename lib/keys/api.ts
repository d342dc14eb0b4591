import 'server-only';
import { readJson } from '@/lib/errors';
import { readKeySpend } from '@/lib/limits/spend-counters';
import { json } from '@/lib/management/handler';
import type { Actor } from './service';
import * as keys from './service';
import { presentKey, presentKeyEvent } from './present';
import { keyCreateSchema, keyUpdateSchema } from './schema';
import type { ApiKeyRow } from '@/db/schema';

/** The management API's key operations: parse, call the shared service, present. */

type Params = { id: string };

async function present(key: ApiKeyRow) {
  const spend = await readKeySpend([key]);
  return presentKey(key, spend.get(key.id));
}

export async function listKeysResponse(_request: Request, actor: Actor) {
  const rows = await keys.listKeys(actor.accountId);
  const spend = await readKeySpend(rows);
  return json({ object: 'list', data: rows.map((row) => presentKey(row, spend.get(row.id))) });
}

export async function createKeyResponse(request: Request, actor: Actor) {
  const input = keyCreateSchema.parse(await readJson(request));
  const { key, secret } = await keys.createKey(actor, input);
  // The plaintext is in this response and nowhere else, ever.
  return json({ ...(await present(key)), key: secret }, 201);
}

export async function getKeyResponse(_request: Request, actor: Actor, { id }: Params) {
  return json(await present(await keys.getKey(actor.accountId, id)));
}

export async function updateKeyResponse(request: Request, actor: Actor, { id }: Params) {
  const input = keyUpdateSchema.parse(await readJson(request));
  return json(await present(await keys.updateKey(actor, id, input)));
}

export async function deleteKeyResponse(_request: Request, actor: Actor, { id }: Params) {
  await keys.deleteKey(actor, id);
  return json({ id, object: 'api_key', deleted: true });
}

export async function regenerateKeyResponse(_request: Request, actor: Actor, { id }: Params) {
  const { key, secret } = await keys.regenerateKey(actor, id);
  return json({ ...(await present(key)), key: secret });
}

export const enableKeyResponse = async (_request: Request, actor: Actor, { id }: Params) =>
  json(await present(await keys.setKeyEnabled(actor, id, true)));

export const disableKeyResponse = async (_request: Request, actor: Actor, { id }: Params) =>
  json(await present(await keys.setKeyEnabled(actor, id, false)));

export async function keyEventsResponse(_request: Request, actor: Actor, { id }: Params) {
  const events = await keys.getKeyEvents(actor.accountId, id);
  return json({ object: 'list', data: events.map(presentKeyEvent) });
}
