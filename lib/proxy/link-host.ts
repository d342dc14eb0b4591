/**
 * Links served by host, besides `/proxy/{linkId}/…` on any host (lib/proxy/handler.ts):
 *
 * - `{linkId}.{PROXY_DOMAIN}/…` — the host is the link (for SDKs that only take a host: Stripe's);
 * - `{PROXY_HOST}/{linkId}/…` and `{PROXY_DOMAIN}/{linkId}/…` — a proxy host whose first path
 *   segment is the link, the form Conduit Link's docs give (https://proxy.conduit.link/ID/v1/…).
 *
 * On a proxy host only a first segment shaped like a link id (`l` + 23 of [a-z0-9]) is a link: no
 * page or API of the app has such a path, so the app keeps working on that host too — PROXY_DOMAIN
 * may well be the app's own host, and a misplaced PROXY_HOST must not take the dashboard down.
 * Pure and cheap: the production server asks it for every request (lib/server/hot-path.ts).
 */

export interface LinkHosts {
  proxyDomain?: string;
  proxyHost?: string;
}

export type LinkByHost = { kind: 'host'; linkId: string } | { kind: 'path'; linkId: string };

const LEADING_LINK_ID = /^\/(l[0-9a-z]{23})(?=[/?]|$)/;

/** The request's host as configured names compare with it: with the port only when the setting names one. */
const comparable = (host: string, configured: string) => (configured.includes(':') ? host : host.replace(/:\d+$/, ''));

/**
 * Which link a request names by its host, if any. `target` is the request target as received
 * (path and query, still percent-encoded).
 */
export function linkByHost(rawHost: string | undefined, target: string, hosts: LinkHosts): LinkByHost | undefined {
  if (!rawHost || (!hosts.proxyDomain && !hosts.proxyHost)) return undefined;
  const host = rawHost.toLowerCase();
  for (const proxyHost of [hosts.proxyHost, hosts.proxyDomain]) {
    if (proxyHost && comparable(host, proxyHost) === proxyHost) {
      const linkId = LEADING_LINK_ID.exec(target)?.[1];
      return linkId ? { kind: 'path', linkId } : undefined;
    }
  }
  const domain = hosts.proxyDomain;
  if (!domain) return undefined;
  const name = comparable(host, domain);
  return name.endsWith(`.${domain}`) ? { kind: 'host', linkId: name.slice(0, -domain.length - 1) } : undefined;
}

/** The upstream part of a proxy-host request's path: what follows `/{linkId}` ("/" when nothing does). */
export const pathAfterLinkId = (path: string, linkId: string): string => path.slice(linkId.length + 1) || '/';
