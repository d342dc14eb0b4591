import 'server-only';
import { headers } from 'next/headers';
import { env } from '@/lib/env';

/**
 * Where the browser reached this installation (e.g. http://127.0.0.1:3100): the base of the
 * proxy URLs in the snippets, so they work as pasted. Display only — nothing is authorised by it.
 */
export async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host')?.split(',')[0]?.trim() || h.get('host') || 'localhost:3000';
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim() || 'http';
  return `${proto}://${host}`;
}

/** What the snippets need to know about the installation; PROXY_DOMAIN and PROXY_HOST are read on the server only. */
export async function snippetSettings(): Promise<{ base: string; proxyDomain: string | null; proxyHost: string | null }> {
  return { base: await requestOrigin(), proxyDomain: env().PROXY_DOMAIN ?? null, proxyHost: env().PROXY_HOST ?? null };
}
