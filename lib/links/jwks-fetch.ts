import 'server-only';
import type { FetchImplementation } from 'jose';
import { guardedAgent } from '@/lib/proxy/guarded-agent';
import { checkJwksUrl, resolveAndCheck } from '@/lib/proxy/ssrf';
import { readBounded } from '@/lib/streams/read-bounded';

/**
 * How a link's JWKS is fetched. The URL is the customer's, so it gets the same SSRF rules as
 * an upstream: every fetch (jose re-fetches on expiry and unknown `kid`s) first resolves the
 * host and refuses private addresses unless allowed. jose already refuses redirects and times
 * out after 5 s; the body is capped here so a hostile server cannot make us buffer gigabytes.
 */

const MAX_JWKS_BYTES = 256 * 1024;

export class JwksUnavailable extends Error {
  override name = 'JwksUnavailable';
}

async function readCapped(response: Response): Promise<Uint8Array> {
  const body = await readBounded(response.body, MAX_JWKS_BYTES);
  if (body === null) throw new JwksUnavailable('JWKS response too large');
  return body;
}

export function guardedJwksFetch(allowPrivate: boolean, fetchImpl: typeof fetch): FetchImplementation {
  return async (url, init) => {
    // The URL rules again (it may have been saved under a laxer policy), then the addresses.
    const checked = checkJwksUrl(url, { allowPrivate });
    if (!checked.ok) throw new JwksUnavailable(`JWKS URL refused: ${checked.reason}`);
    const target = checked.url;
    const resolved = await resolveAndCheck(target.hostname, { allowPrivate });
    if (!resolved.ok) throw new JwksUnavailable(`JWKS host refused: ${resolved.reason}`);
    // Connect through the guarded pool too: the check above names the reason, the pool makes
    // sure the address connected to is one that passed (no rebinding in between).
    const dispatcher = allowPrivate ? undefined : guardedAgent();
    const response = await fetchImpl(target, { ...init, redirect: 'manual', ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
    const body = await readCapped(response);
    return new Response(body.byteLength ? (body as Uint8Array<ArrayBuffer>) : null, { status: response.status, headers: response.headers });
  };
}
