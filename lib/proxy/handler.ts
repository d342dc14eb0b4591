import 'server-only';
import { env } from '@/lib/env';
import { errorResponse, toApiError } from '@/lib/errors';
import { verifyAccessToken } from '@/lib/links/access';
import { lookupLink } from '@/lib/links/cache';
import { verifyEndUserJwt } from '@/lib/links/jwt';
import type { LinkRecord } from '@/lib/links/record';
import { setResponseHeader } from '@/lib/server/lean-response';
import { rawTarget } from '@/lib/server/node-request';
import { corsHeaders, isPreflight, originAllowed, preflightResponse } from './cors';
import { callerCredentials } from './credentials';
import { forwardToUpstream } from './forward';
import { consumeLinkLimits } from './limits';
import { linkByHost, pathAfterLinkId, type LinkHosts } from './link-host';
import { canonicalizePath, compileAllowedPaths } from './path';
import { PROXY_METHODS } from './allowed-paths';
import { proxyRefusals } from './refusals';
import { newProxyContext, recordProxyUsage, type ProxyContext } from './usage';

/**
 * Conduit Link (/proxy/{linkId}/*, {linkId}.{PROXY_DOMAIN}/* and {PROXY_HOST}/{linkId}/*) as a plain
 * `(Request) => Promise<Response>`. Checks, in order: the link exists and is enabled; CORS
 * (a preflight from an allowed origin is answered without a token); the access token; the
 * path against allowed_paths; the end user's JWT when required; the rate limits. Then the
 * secret is injected and the upstream's answer streamed back.
 */

interface Target {
  linkId: string;
  /** Raw, still percent-encoded path after the link prefix, and the raw query. */
  path: string;
  query: string;
}

/** Finds the link id and the upstream path, by host or by path; undefined when neither matches. */
export function proxyTarget(request: Request, hosts: LinkHosts = { proxyDomain: env().PROXY_DOMAIN, proxyHost: env().PROXY_HOST }): Target | undefined {
  const url = new URL(request.url);
  const raw = rawTarget(request) ?? `${url.pathname}${url.search}`;
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const query = queryAt === -1 ? '' : raw.slice(queryAt + 1);
  const byHost = linkByHost(request.headers.get('host') ?? undefined, raw, hosts);
  if (byHost?.kind === 'host') return /^[a-z0-9]+$/.test(byHost.linkId) ? { linkId: byHost.linkId, path, query } : undefined;
  if (byHost?.kind === 'path') return { linkId: byHost.linkId, path: pathAfterLinkId(path, byHost.linkId), query };
  const match = /^\/proxy\/([a-z0-9]+)(\/.*)?$/.exec(path);
  return match ? { linkId: match[1]!, path: match[2] ?? '/', query } : undefined;
}

/**
 * Compiled once per cached link record (the record object lives in the in-memory cache for up to
 * a second and is replaced on change), not on every request.
 */
const matchers = new WeakMap<LinkRecord['allowedPaths'], ReturnType<typeof compileAllowedPaths>>();
function allowedPathsOf(link: LinkRecord) {
  let matcher = matchers.get(link.allowedPaths);
  if (!matcher) {
    matcher = compileAllowedPaths(link.allowedPaths);
    matchers.set(link.allowedPaths, matcher);
  }
  return matcher;
}

/** What a link forwards at all: the methods an allowed path can name, and OPTIONS (not a preflight). */
const FORWARDED_METHODS: ReadonlySet<string> = new Set([...PROXY_METHODS, 'OPTIONS']);
const forwardable = (method: string) => FORWARDED_METHODS.has(method);

export async function handleProxy(request: Request): Promise<Response> {
  const context = newProxyContext();
  const origin = request.headers.get('origin');
  let link: LinkRecord | undefined;
  try {
    const target = proxyTarget(request);
    if (!target) throw proxyRefusals.unknownLink();
    link = (await lookupLink(target.linkId)) ?? undefined;
    if (!link) throw proxyRefusals.unknownLink();
    context.link = link;
    if (!link.enabled) throw proxyRefusals.linkDisabled();
    return await serve(request, context, link, target, origin);
  } catch (error) {
    // The record stores the code the client got.
    const refusal = toApiError(error);
    const response = errorResponse(refusal, link ? corsHeaders(origin, link.allowedOrigins) : undefined);
    context.errorCode = refusal.code;
    if (link) recordProxyUsage(context, response.status);
    setResponseHeader(response, 'x-request-id', context.requestId);
    return response;
  }
}

async function serve(request: Request, context: ProxyContext, link: LinkRecord, target: Target, origin: string | null): Promise<Response> {
  const canonical = canonicalizePath(target.path);
  const allowed = allowedPathsOf(link);

  if (isPreflight(request)) {
    // Browsers send no credentials on a preflight: answer it from the origin and path alone.
    const method = request.headers.get('access-control-request-method')!.toUpperCase();
    if (!originAllowed(origin, link.allowedOrigins)) throw proxyRefusals.originNotAllowed(origin ?? 'unknown');
    if (!forwardable(method)) throw proxyRefusals.methodNotAllowed(method);
    if (!canonical.ok || !allowed(method, canonical.path)) throw proxyRefusals.pathNotAllowed(method, target.path);
    return preflightResponse(request, origin!);
  }
  // A browser page on another origin gets a 403 without any CORS grant; calls without an
  // Origin header come from servers and apps, where CORS does not apply.
  if (origin !== null && !originAllowed(origin, link.allowedOrigins)) throw proxyRefusals.originNotAllowed(origin);
  // Never TRACE (an upstream echoing the request would hand the injected secret back), nor any
  // other method a link's owner could not have listed.
  if (!forwardable(request.method)) throw proxyRefusals.methodNotAllowed(request.method);

  const credentials = callerCredentials(request.headers, link.jwt !== null);
  if (!credentials.accessToken) throw proxyRefusals.missingToken();
  if ((await verifyAccessToken(link.id, credentials.accessToken)) !== 'VALID') throw proxyRefusals.invalidToken();

  if (!canonical.ok) throw proxyRefusals.invalidPath(canonical.reason);
  if (!allowed(request.method, canonical.path)) throw proxyRefusals.pathNotAllowed(request.method, canonical.path);

  let endUser: string | null = null;
  if (link.jwt) {
    if (!credentials.endUserJwt) throw proxyRefusals.missingUserToken();
    const verified = await verifyEndUserJwt(credentials.endUserJwt, link.jwt);
    if (!verified.ok) throw proxyRefusals.invalidUserToken(verified.reason);
    endUser = verified.userId;
    context.endUser = endUser;
  }

  await consumeLinkLimits(link, endUser);
  const response = await forwardToUpstream({ request, context, link, path: canonical.path, query: target.query });
  for (const [name, value] of Object.entries(corsHeaders(origin, link.allowedOrigins, response.headers.keys()))) {
    response.headers.set(name, value);
  }
  setResponseHeader(response, 'x-request-id', context.requestId);
  return response;
}
