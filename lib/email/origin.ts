import 'server-only';
import { headers } from 'next/headers';
import { env } from '@/lib/env';
import { publicOrigin } from '@/lib/public-origin';

/**
 * The origin links in email point at. A reset link built on the request's Host header would let
 * anyone who asks for a reset of someone else's account choose where the victim's token is sent
 * (Host: attacker.example); so AUTH_URL, when set, is the only origin used — set it in production.
 * Unset (a laptop, the embedded default), the request's public origin as lib/public-origin.ts
 * trusts it: the Host header, or what TRUSTED_PROXY_COUNT proxies forwarded.
 */
export function configuredOrigin(): string | undefined {
  const { AUTH_URL } = env();
  return AUTH_URL ? new URL(AUTH_URL).origin : undefined;
}

/** For server actions and pages (it reads the request's headers when AUTH_URL is unset). */
export async function emailLinkOrigin(): Promise<string> {
  return configuredOrigin() ?? publicOrigin(await headers(), env().TRUSTED_PROXY_COUNT).origin;
}

export function emailLink(origin: string, path: string, token: string): string {
  const url = new URL(path, origin);
  url.searchParams.set('token', token);
  return url.toString();
}
