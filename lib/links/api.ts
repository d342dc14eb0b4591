import 'server-only';
import { env } from '@/lib/env';
import { readJson } from '@/lib/errors';
import { json } from '@/lib/management/handler';
import { presentLink, presentLinkToken } from './present';
import { linkSchemas, linkTokenCreateSchema } from './schema';
import * as links from './service';
import type { Actor } from './service';

/** The management API's link operations: parse, call the shared service, present. */

type Params = { id: string };
type TokenParams = { id: string; tokenId: string };

/** Private upstreams (and JWKS URLs) only where the deployment allows them (self-hosting, tests). */
const schemas = () => linkSchemas({ allowPrivate: env().PROXY_ALLOW_PRIVATE_UPSTREAMS });

export async function listLinksResponse(_request: Request, actor: Actor) {
  const rows = await links.listLinks(actor.accountId);
  return json({ object: 'list', data: rows.map((row) => presentLink(row)) });
}

export async function createLinkResponse(request: Request, actor: Actor) {
  const input = schemas().create.parse(await readJson(request));
  const { link, token } = await links.createLink(actor, input);
  // The access token's plaintext is in this response and nowhere else, ever.
  return json({ ...presentLink(link), access_token: token.secret, access_token_id: token.token.id }, 201);
}

export async function getLinkResponse(_request: Request, actor: Actor, { id }: Params) {
  return json(presentLink(await links.getLink(actor.accountId, id)));
}

export async function updateLinkResponse(request: Request, actor: Actor, { id }: Params) {
  const input = schemas().update.parse(await readJson(request));
  return json(presentLink(await links.updateLink(actor, id, input)));
}

export async function deleteLinkResponse(_request: Request, actor: Actor, { id }: Params) {
  await links.deleteLink(actor, id);
  return json({ id, object: 'link', deleted: true });
}

export const enableLinkResponse = async (_request: Request, actor: Actor, { id }: Params) =>
  json(presentLink(await links.setLinkEnabled(actor, id, true)));

export const disableLinkResponse = async (_request: Request, actor: Actor, { id }: Params) =>
  json(presentLink(await links.setLinkEnabled(actor, id, false)));

export async function listLinkTokensResponse(_request: Request, actor: Actor, { id }: Params) {
  const tokens = await links.listLinkTokens(actor.accountId, id);
  return json({ object: 'list', data: tokens.map(presentLinkToken) });
}

export async function createLinkTokenResponse(request: Request, actor: Actor, { id }: Params) {
  const { name } = linkTokenCreateSchema.parse(await readJson(request));
  const { token, secret } = await links.createLinkToken(actor, id, name);
  return json({ ...presentLinkToken(token), token: secret }, 201);
}

export async function revokeLinkTokenResponse(_request: Request, actor: Actor, { id, tokenId }: TokenParams) {
  await links.revokeLinkToken(actor, id, tokenId);
  return json({ id: tokenId, object: 'link_token', revoked: true });
}
