import 'server-only';
import { createCommandRunner, type CommandRunner } from './commands';
import { embeddedBackend } from './embedded-backend';
import { connectCluster } from './cluster-backend';
import { connectIoredis } from './ioredis-backend';

/** Command runners for the self-hosted backends. */

/** A runner over a new TCP connection to `url`; the caller closes it. Commands fail after `timeoutMs`. */
export function tcpRunner(url: string, timeoutMs?: number): CommandRunner {
  return createCommandRunner(connectIoredis(url, timeoutMs));
}

/** A runner over a Redis Cluster reached through any of these nodes; the caller closes it. */
export function clusterRunner(urls: readonly string[], timeoutMs?: number): CommandRunner {
  return createCommandRunner(connectCluster(urls, timeoutMs));
}

// Next.js may evaluate this module once per bundle (route handlers, server actions, middleware...)
// in one process; a module-level variable would give each bundle its own store, so the one
// embedded store lives on globalThis under a registry symbol all copies agree on.
const EMBEDDED = Symbol.for('conduit.redis.embedded');
const registry = globalThis as typeof globalThis & { [EMBEDDED]?: CommandRunner };

/** The process-wide in-memory store (`npm run dev` with nothing configured). Never closed. */
export function embeddedRunner(): CommandRunner {
  return (registry[EMBEDDED] ??= createCommandRunner(embeddedBackend(), { scriptsKept: false }));
}
