import 'server-only';
import { lookup } from 'node:dns/promises';
import { canonicalizePath } from './canonical-path';
import { blockedReason, parseIpLiteral } from './ip-policy';

/**
 * SSRF guard for URLs our server connects to on a customer's behalf: link upstreams and JWKS
 * URLs. Two checks, because a name can change what it points to:
 * - when the URL is saved, checkUpstreamBase / checkJwksUrl: scheme, no credentials, no
 *   fragment, and the host is neither an internal name nor a non-public IP literal;
 * - before every request, checkHostname, and whenever a connection opens, resolveAndCheck: resolve
 *   the host and refuse if ANY address is not public (DNS rebinding: a name that was public at
 *   save time can point at 127.0.0.1 later, and a round-robin answer can mix one private address
 *   among public ones).
 *
 * The addresses are checked by the resolution that opens the connection (guarded-agent.ts, an
 * undici Agent whose lookup runs resolveAndCheck), so a rebinding server answering with a TTL of
 * 0 gets no window between a check and the connect. Redirects are never followed (fetchUpstream
 * relays or refuses them), which would otherwise be the easy way around.
 *
 * `allowPrivate` (self-hosting, tests) turns the address and name rules off and allows http:.
 */

export interface GuardOptions {
  allowPrivate: boolean;
}
export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };
export type HostCheck = { ok: true } | { ok: false; reason: string };

const MAX_URL_LENGTH = 2048;

// Names that resolve to this machine or the private network by convention, whatever public DNS
// says: RFC 6761 localhost, RFC 6762 .local and its suggested private suffixes, RFC 8375
// home.arpa, cloud-internal zones (metadata.google.internal, *.ec2.internal), Kubernetes
// services (*.svc, *.cluster.local), and Debian's /etc/hosts aliases for ::1.
const BLOCKED_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);
const BLOCKED_SUFFIXES = ['.localhost', '.local', '.localdomain', '.internal', '.home.arpa', '.lan', '.intranet', '.corp', '.svc'];

/** The host rules alone: for a URL's `hostname` (IPv6 in brackets) or a bare name/address. */
export function checkHostname(hostname: string, options: GuardOptions): HostCheck {
  if (options.allowPrivate) return { ok: true };
  const address = parseIpLiteral(hostname);
  if (address) {
    const reason = blockedReason(address);
    return reason === null ? { ok: true } : { ok: false, reason: `address ${hostname} is not public (${reason})` };
  }
  // One trailing dot is the same name, fully qualified ("localhost." is localhost).
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (BLOCKED_NAMES.has(name) || BLOCKED_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    return { ok: false, reason: `host ${hostname} is an internal name` };
  }
  // "https://redis", "https://metadata": single labels resolve through the server's search
  // domains, i.e. to the private network.
  if (!name.includes('.')) return { ok: false, reason: `host ${hostname} is not a fully qualified domain name` };
  return { ok: true };
}

function checkOutboundUrl(text: string, options: GuardOptions, allowQuery: boolean): UrlCheck {
  if (typeof text !== 'string' || text.length > MAX_URL_LENGTH) return { ok: false, reason: 'URL is missing or too long' };
  let url: URL;
  try {
    // WHATWG parsing normalises every IPv4 spelling (2130706433, 0x7f.0.0.1, 0177.0.0.1, 127.1)
    // to dotted decimal and IPv6 to its compressed form, so the checks below see one spelling.
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && !(options.allowPrivate && url.protocol === 'http:')) {
    return { ok: false, reason: options.allowPrivate ? 'URL must use https or http' : 'URL must use https' };
  }
  // https://api.example.com@127.0.0.1/ reads as example.com to people; it is 127.0.0.1. And a
  // URL's credentials would be sent alongside the injected secret.
  if (url.username || url.password) return { ok: false, reason: 'URL must contain neither a username nor a password' };
  if (text.includes('#')) return { ok: false, reason: 'URL must not contain a fragment' };
  if (!allowQuery && text.includes('?')) return { ok: false, reason: 'URL must not contain a query string' };
  const basePath = url.pathname.replace(/\/+$/, '');
  if (basePath !== '') {
    const checked = canonicalizePath(basePath);
    if (!checked.ok || checked.path !== basePath) return { ok: false, reason: `URL path is not canonical${checked.ok ? '' : `: ${checked.reason}`}` };
  }
  const host = checkHostname(url.hostname, options);
  return host.ok ? { ok: true, url } : host;
}

/** At link creation/update: the upstream base URL (no query: the client's query is appended to it). */
export function checkUpstreamBase(url: string, options: GuardOptions): UrlCheck {
  return checkOutboundUrl(url, options, false);
}

/** A link's JWKS URL: the same rules, but a query is allowed (Azure AD B2C keys take `?p=policy`). */
export function checkJwksUrl(url: string, options: GuardOptions): UrlCheck {
  return checkOutboundUrl(url, options, true);
}

export interface ResolvedAddress {
  address: string;
  family: number;
}
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;
/**
 * `unresolved`: the name has no address at all (NXDOMAIN, no records, the lookup failed or timed
 * out) — the upstream is unreachable, which callers tell apart from an address that is refused.
 */
export type ResolveResult = { ok: true; addresses: ResolvedAddress[] } | { ok: false; reason: string; unresolved?: true };

/** Every address the system resolver gives, in its order (we check them all, so order is moot). */
export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

const DEFAULT_TIMEOUT_MS = 5_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS lookup timed out')), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Before each request: the host rules again (a link saved under older rules gets today's), then
 * resolution, refusing if ANY address is not public. Returns the addresses (IP literals are not
 * resolved). The resolver is injectable so tests never touch the network.
 */
export async function resolveAndCheck(
  hostname: string,
  options: GuardOptions & { resolver?: Resolver; timeoutMs?: number },
): Promise<ResolveResult> {
  const host = checkHostname(hostname, options);
  if (!host.ok) return host;
  const literal = parseIpLiteral(hostname);
  if (literal) return { ok: true, addresses: [{ address: literal.toString(), family: literal.kind() === 'ipv4' ? 4 : 6 }] };

  let addresses: ResolvedAddress[];
  try {
    addresses = await withTimeout((options.resolver ?? systemResolver)(hostname), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } catch {
    return { ok: false, reason: `host ${hostname} could not be resolved`, unresolved: true };
  }
  if (addresses.length === 0) return { ok: false, reason: `host ${hostname} has no addresses`, unresolved: true };
  if (options.allowPrivate) return { ok: true, addresses };
  for (const { address } of addresses) {
    const parsed = parseIpLiteral(address);
    const reason = parsed ? blockedReason(parsed) : 'not an IP address';
    if (reason !== null) return { ok: false, reason: `host ${hostname} resolves to ${address}, which is not public (${reason})` };
  }
  return { ok: true, addresses };
}
