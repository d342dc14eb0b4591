import 'server-only';
import { env } from '@/lib/env';
import { publicOrigin } from '@/lib/public-origin';

/**
 * The origin links in email point at (no next/headers here: the drain, which mails alerts, is
 * bundled into the hot path outside Next; request-origin.ts is the server actions' door). A reset link built on the request's Host header would let
 * anyone who asks for a reset of someone else's account choose where the victim's token is sent
 * (Host: attacker.example); so AUTH_URL, when set, is the only origin used — set it in production.
 * Unset (a laptop, the embedded default), the request's public origin as lib/public-origin.ts
 * trusts it: the Host header, or what TRUSTED_PROXY_COUNT proxies forwarded.
 */
export function configuredOrigin(): string | undefined {
  const { AUTH_URL } = env();
  return AUTH_URL ? new URL(AUTH_URL).origin : undefined;
}

/** From a request's headers: AUTH_URL when set, else the public origin lib/public-origin.ts trusts. */
export function emailLinkOriginOf(headers: Headers): string {
  return configuredOrigin() ?? publicOrigin(headers, env().TRUSTED_PROXY_COUNT).origin;
}

export function emailLink(origin: string, path: string, token: string): string {
  const url = new URL(path, origin);
  url.searchParams.set('token', token);
  return url.toString();
}
