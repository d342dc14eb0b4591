import 'server-only';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent } from 'undici';
import { resolveAndCheck, systemResolver, type Resolver } from './ssrf';

/**
 * The connection pool for requests made on a customer's behalf (link upstreams, JWKS URLs): an
 * undici Agent whose every new connection resolves the host through the SSRF rules and connects
 * to the very addresses that passed them. Checking in advance and then letting the client resolve
 * again would leave a window for a rebinding DNS server (public answer for the check, 127.0.0.1
 * for the connect); here there is one resolution, the one connected to. Pooled connections are
 * reused as they are: their address was vetted when they were opened. IP literals never reach
 * the lookup — checkHostname() refuses non-public ones before the request.
 */

export class BlockedUpstreamError extends Error {
  override name = 'BlockedUpstreamError';
}

/**
 * The upstream's name resolves to nothing (or the lookup failed): nothing was refused, there is
 * nothing to connect to. Kept apart from BlockedUpstreamError so the client is told which it is.
 */
export class UnresolvedUpstreamError extends Error {
  override name = 'UnresolvedUpstreamError';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The `lookup` a guarded connection uses (exported for its tests). */
export function guardedLookup(resolver: Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    resolveAndCheck(hostname, { allowPrivate: false, resolver }).then(
      (checked) => {
        if (!checked.ok) return callback(checked.unresolved ? new UnresolvedUpstreamError(checked.reason) : new BlockedUpstreamError(checked.reason), '');
        // net.connect asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
        if (options.all) return callback(null, checked.addresses);
        const [first] = checked.addresses;
        callback(null, first!.address, first!.family);
      },
      (error: Error) => callback(error, ''),
    );
  };
}

export function createGuardedAgent(resolver: Resolver = systemResolver, timeouts: { headersTimeout?: number; connectTimeout?: number } = {}): Agent {
  return new Agent({ headersTimeout: timeouts.headersTimeout, connect: { lookup: guardedLookup(resolver), timeout: timeouts.connectTimeout } });
}

const SHARED = Symbol.for('conduit.proxy.guardedAgent');
const registry = globalThis as typeof globalThis & { [SHARED]?: Agent };

/** The process's guarded pool (one per process, whichever bundle asks). */
export function guardedAgent(): Agent {
  return (registry[SHARED] ??= createGuardedAgent());
}

/** getaddrinfo's answers for "this name has no address" (or no answer could be had), as Node reports them. */
const UNRESOLVED_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NODATA', 'EAI_NONAME', 'EAI_FAIL']);

/**
 * True when `error` (or one of its causes) says the upstream's host could not be resolved: from
 * the guarded lookup, or from the plain pool's own lookup (PROXY_ALLOW_PRIVATE_UPSTREAMS).
 */
export function unresolvedHost(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof UnresolvedUpstreamError || UNRESOLVED_CODES.has(String((current as Error & { code?: unknown }).code))) return true;
  }
  return false;
}

/** True when `error` (or one of its causes) is the guard refusing an address. */
export function blockedByGuard(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof BlockedUpstreamError) return true;
  }
  return false;
}
