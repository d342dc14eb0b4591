import 'server-only';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { openSecret } from '@/lib/crypto/secret-box';
import { env } from '@/lib/env';
import { guardedJwksFetch, JwksUnavailable } from './jwks-fetch';
import type { LinkRecord } from './record';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'links' });

/**
 * Verifies the end-user JWT a link may require (Authorization: Bearer), so limits and usage can
 * be per user of the customer's app. A result, not an exception; `reason` completes the
 * sentence "The end-user JWT was refused: …" and names no secret.
 */

export type EndUserJwtResult = { ok: true; userId: string } | { ok: false; reason: string };

export interface VerifyEndUserJwtOptions {
  now?: Date;
  /** Performs the JWKS request once the URL passed the SSRF check (tests, custom agents). */
  fetchJwks?: typeof fetch;
  /** Defaults to PROXY_ALLOW_PRIVATE_UPSTREAMS: may the JWKS live on a private address? */
  allowPrivate?: boolean;
}

/** Larger tokens are refused unparsed: real ones are a few hundred bytes. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** User ids go into rate-limit keys and usage rows. */
const MAX_USER_ID_LENGTH = 256;

/**
 * One remote key set per JWKS URL, so keys are fetched once and re-fetched only by jose's own
 * rules (max age 10 min; on an unknown `kid`, at most every 30 s).
 */
const keySets = new LRUCache<string, JWTVerifyGetKey>({ max: 1_000 });
const customKeySets = new WeakMap<typeof fetch, Map<string, JWTVerifyGetKey>>();

function remoteKeySet(jwksUrl: string, allowPrivate: boolean, fetchJwks?: typeof fetch): JWTVerifyGetKey {
  const cacheKey = `${allowPrivate ? 'private' : 'public'} ${jwksUrl}`;
  let cache: Map<string, JWTVerifyGetKey> | LRUCache<string, JWTVerifyGetKey> = keySets;
  if (fetchJwks) {
    cache = customKeySets.get(fetchJwks) ?? new Map();
    customKeySets.set(fetchJwks, cache);
  }
  let keySet = cache.get(cacheKey);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUrl), { [customFetch]: guardedJwksFetch(allowPrivate, fetchJwks ?? fetch) });
    cache.set(cacheKey, keySet);
  }
  return keySet;
}

function userIdFrom(payload: JWTPayload, claim: string): string | null {
  // The seed's example signs `{ userId }` without `sub`: accept that when no claim was chosen.
  const value = payload[claim] ?? (claim === 'sub' ? payload.userId : undefined);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_USER_ID_LENGTH) return value;
  return null;
}

/** jose's errors, said in words an app developer can act on. */
function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `the token has no "${error.claim}" claim`;
    if (error.claim === 'iss') return 'unexpected issuer';
    if (error.claim === 'aud') return 'unexpected audience';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `invalid "${error.claim}" claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not the one this link accepts";
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JWKSNoMatchingKey) return "no key in the link's JWKS matches the token";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "several keys in the link's JWKS match the token; give them distinct kids";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'the token is malformed';
  if (error instanceof errors.JOSENotSupported) return 'the token uses an unsupported algorithm or key';
  if (error instanceof JwksUnavailable || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return "the link's JWKS could not be loaded";
  }
  if (error instanceof errors.JOSEError) return "the link's JWKS could not be loaded";
  log.error({ err: error }, 'end-user JWT verification failed unexpectedly');
  return 'the token could not be verified';
}

export async function verifyEndUserJwt(
  token: string,
  config: LinkRecord['jwt'],
  options: VerifyEndUserJwtOptions = {},
): Promise<EndUserJwtResult> {
  if (!config) return { ok: false, reason: 'this link does not verify end-user tokens' };
  if (!token || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'the token is malformed' };
  let key: Uint8Array | JWTVerifyGetKey;
  if (config.algorithm === 'HS256') {
    if (!config.secretSealed) return { ok: false, reason: 'the link has no JWT secret' };
    try {
      key = new TextEncoder().encode(openSecret(config.secretSealed));
    } catch (error) {
      // Only a changed LINK_ENCRYPTION_KEY (or AUTH_SECRET) does this: an operator problem.
      log.error({ err: error }, 'cannot open a link JWT secret');
      return { ok: false, reason: "the link's JWT secret cannot be read" };
    }
  } else {
    if (!config.jwksUrl) return { ok: false, reason: 'the link has no JWKS URL' };
    key = remoteKeySet(config.jwksUrl, options.allowPrivate ?? env().PROXY_ALLOW_PRIVATE_UPSTREAMS, options.fetchJwks);
  }
  try {
    const verifyOptions = {
      // Exactly the configured algorithm: refuses `none` and algorithm swaps (e.g. an HS256
      // token "signed" with the link's RSA public key as an HMAC secret).
      algorithms: [config.algorithm],
      requiredClaims: ['exp'],
      clockTolerance: 60,
      currentDate: options.now,
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    };
    // Two calls because jose's overloads take a key or a key resolver, not a union of both.
    const { payload } =
      key instanceof Uint8Array ? await jwtVerify(token, key, verifyOptions) : await jwtVerify(token, key, verifyOptions);
    const userId = userIdFrom(payload, config.userClaim);
    if (userId === null) return { ok: false, reason: `the token has no user id in its "${config.userClaim}" claim` };
    return { ok: true, userId };
  } catch (error) {
    return { ok: false, reason: reasonFor(error) };
  }
}
