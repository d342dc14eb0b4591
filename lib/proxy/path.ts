import 'server-only';
import { canonicalizePath } from './canonical-path';

// The path rules of Conduit Link in one import: canonical form (canonical-path.ts),
// allowed_paths (allowed-paths.ts), and the join with the upstream base (here).
export * from './allowed-paths';
export * from './canonical-path';

/** A bug or corrupt link data: the joined URL would leave the link's base. Never the client's fault. */
export class UpstreamUrlError extends Error {
  override name = 'UpstreamUrlError';
}

/**
 * The upstream URL for a canonical path: the link's base (which may carry a path such as `/v1`
 * or `/2010-04-01`) + the path + the client's query. Then verified, not trusted: same origin
 * as the base, and the path is the base path followed by exactly our path — so no later change
 * to the rules above can turn into a request outside the base. Throws UpstreamUrlError.
 */
export function upstreamUrl(base: string, canonicalPath: string, search: URLSearchParams): URL {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    throw new UpstreamUrlError('upstream base is not a URL');
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') throw new UpstreamUrlError('upstream base must be http(s)');
  if (baseUrl.username || baseUrl.password || baseUrl.search || baseUrl.hash || base.includes('#')) {
    throw new UpstreamUrlError('upstream base must not carry credentials, a query or a fragment');
  }
  const checked = canonicalizePath(canonicalPath);
  if (!checked.ok || checked.path !== canonicalPath) throw new UpstreamUrlError('path is not canonical');
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const baseChecked = basePath === '' ? null : canonicalizePath(basePath);
  if (baseChecked && (!baseChecked.ok || baseChecked.path !== basePath)) throw new UpstreamUrlError('upstream base path is not canonical');

  const expected = `${basePath}${canonicalPath}`;
  const url = new URL(`${baseUrl.origin}${expected}`);
  const query = search.toString();
  url.search = query === '' ? '' : `?${query}`;
  if (url.origin !== baseUrl.origin || url.pathname !== expected || !url.pathname.startsWith(`${basePath}/`)) {
    throw new UpstreamUrlError('joined URL leaves the upstream base');
  }
  return url;
}
