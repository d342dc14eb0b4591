import 'server-only';
import { Cluster, Command } from 'ioredis';
import type { Pipeline } from 'ioredis';
import { ServiceUnavailableError } from '@/lib/unavailable';
import { isReplyError, RedisReplyError, type RedisBackend, type Settled } from './commands';
import { ioredisBackend, unreachable } from './ioredis-backend';
import { keySlot } from './key-slot';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'redis' });

/**
 * A Redis Cluster through ioredis' `Cluster`, behind the same RedisBackend as one Redis
 * (ioredis-backend.ts): same timeouts, same fail-fast, same 503s.
 *
 * What a cluster changes, and where it is handled:
 * - Every script, MULTI and multi-key command must keep its keys in one slot: the key names carry
 *   hash tags (lib/redis/key-slot.ts; checked for every script by slots.test.ts), Redis answers
 *   CROSSSLOT otherwise.
 * - A pipeline (lib/redis/soon.ts sends one per turn, with every account's commands in it) may only
 *   hold keys of one node in ioredis: `pipeline()` below splits it into one pipeline per node and
 *   puts the replies back in order. Nothing in a pipeline is atomic across commands anyway.
 * - Commands without keys go to any node: those that must reach every primary (SCRIPT LOAD and
 *   FLUSH, KEYS, FLUSHDB, DBSIZE) are sent to each and their replies combined.
 * - One primary down: commands for its slots are refused at once (a 503, as for one Redis that is
 *   down; in a pipeline only those, as an outage reply), the other slots are served, and a probe
 *   pings it until it is back (connectCluster).
 * - Scripts: EVALSHA goes to the node of its keys; a node that lacks the script answers NOSCRIPT
 *   and the caller falls back to EVAL there (raw.ts, soon.ts, the Upstash SDK), as on one Redis —
 *   one extra round trip per node on first use. Only a shebang script (@upstash/ratelimit's) is
 *   always sent as EVAL of its stripped text (scripts.ts).
 */

const EVERY_PRIMARY = new Set(['keys', 'flushdb', 'flushall', 'dbsize']);

/** Which node group a command goes to: undefined for a command without keys. */
function nodeOf(client: Cluster, command: Command): string | undefined {
  const [key] = command.getKeys();
  if (key === undefined) return undefined;
  const slot = keySlot(String(key));
  // Before the slot map is known, one pipeline per slot is still right (just smaller).
  return client.slots[slot]?.join(',') ?? `slot:${slot}`;
}

/**
 * ioredis' commandTimeout bounds a command once it was written to a node; one waiting for a cluster
 * that never became reachable (its slot map unknown) waits in the offline queue without bound. This
 * bounds the whole wait as connectIoredis does: a 503 after `timeoutMs`, never a hang.
 */
function within<T>(timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailableError('redis', { cause: new Error(`no answer from the cluster within ${timeoutMs} ms`) })), timeoutMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The primary ("host:port") that serves the slot of `command`'s first key, if it has keys and the slot map is known. */
function primaryOf(client: Cluster, command: Command): string | undefined {
  const [key] = command.getKeys();
  return key === undefined ? undefined : client.slots[keySlot(String(key))]?.[0];
}

/** What a command for a slot whose primary is known down is refused with (in a pipeline: an outage reply, so a 503). */
const nodeDownMessage = (node: string) => `CLUSTERDOWN the cluster node serving this slot (${node}) is down`;

export function clusterBackend(
  client: Cluster,
  isDown: () => boolean = () => false,
  timeoutMs = 2_000,
  nodeDown: (node: string) => boolean = () => false,
): RedisBackend {
  // MULTI/EXEC (one slot, by the key names) and close() behave as for one Redis.
  const single = ioredisBackend(client, isDown);
  const refuseWhileDown = () => {
    if (isDown()) throw new ServiceUnavailableError('redis', { cause: new Error(`cluster connection lost (${client.status})`) });
  };
  /** A primary known down: its slots answer 503 at once, as one Redis that is down does, instead of each waiting out a timeout. */
  const downPrimary = ([name = '', ...args]: string[]): string | undefined => {
    const node = primaryOf(client, new Command(name, args));
    return node !== undefined && nodeDown(node) ? node : undefined;
  };
  const refuseIfNodeDown = (command: string[]) => {
    const node = downPrimary(command);
    if (node) throw new ServiceUnavailableError('redis', { cause: new Error(nodeDownMessage(node)) });
  };

  /** The primaries, once the slot map is known: a cluster not yet connected would have none and answer nothing. */
  async function primaries() {
    if (client.status === 'wait') await client.connect().catch(() => undefined);
    if (client.status !== 'ready') await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      client.once('ready', done);
    });
    const nodes = client.nodes('master');
    if (client.status !== 'ready' || nodes.length === 0) throw new ServiceUnavailableError('redis', { cause: new Error(`the cluster is not ready (${client.status})`) });
    return nodes;
  }

  async function onEveryPrimary([name = '', ...args]: string[]): Promise<unknown> {
    const replies = await Promise.all((await primaries()).map((node) => node.call(name, ...args)));
    const lower = name.toLowerCase();
    if (lower === 'keys') return replies.flat();
    if (lower === 'dbsize') return replies.reduce((sum: number, n) => sum + Number(n), 0);
    // SCRIPT EXISTS: known only where every primary knows it.
    if (lower === 'script' && args[0]?.toLowerCase() === 'exists') {
      return (replies[0] as number[]).map((_, i) => (replies.every((reply) => (reply as number[])[i] === 1) ? 1 : 0));
    }
    return replies[0];
  }

  const everywhere = ([name = '', sub = '']: string[]) =>
    EVERY_PRIMARY.has(name.toLowerCase()) || (name.toLowerCase() === 'script' && ['load', 'flush', 'exists'].includes(sub.toLowerCase()));

  async function send(command: string[]): Promise<unknown> {
    refuseWhileDown();
    if (!everywhere(command)) {
      refuseIfNodeDown(command);
      return single.send(command);
    }
    return onEveryPrimary(command).catch((error: unknown) => {
      throw unreachable(error);
    });
  }

  /** One ioredis pipeline per node; replies in the order of `commands`. */
  async function pipeline(commands: string[][]): Promise<Settled[]> {
    refuseWhileDown();
    const settled: Settled[] = new Array(commands.length);
    const groups = new Map<string, { pipeline: Pipeline; at: number[] }>();
    const alone: Promise<void>[] = [];
    commands.forEach(([name = '', ...args], i) => {
      const command = new Command(name, args);
      const node = nodeOf(client, command);
      if (node === undefined || everywhere([name, ...args])) {
        alone.push(
          send([name, ...args]).then(
            (value) => void (settled[i] = [null, value]),
            (error: unknown) => {
              if (!isReplyError(error)) throw error;
              settled[i] = [error, null];
            },
          ),
        );
        return;
      }
      const down = downPrimary([name, ...args]);
      if (down) {
        settled[i] = [new RedisReplyError(nodeDownMessage(down)), null];
        return;
      }
      let group = groups.get(node);
      if (!group) groups.set(node, (group = { pipeline: client.pipeline() as Pipeline, at: [] }));
      group.pipeline.sendCommand(command);
      group.at.push(i);
    });
    // Every command for a node that is down: the pipeline as a whole is refused, as a command is.
    if (groups.size === 0 && alone.length === 0 && commands.length > 0) refuseIfNodeDown(commands[0]!);
    const sent = [...groups.values()].map(async ({ pipeline: batch, at }) => {
      const replies = ((await batch.exec().catch((error: unknown) => {
        throw unreachable(error);
      })) ?? []) as Settled[];
      at.forEach((index, j) => (settled[index] = replies[j] ?? [new Error('ERR missing reply'), null]));
    });
    await Promise.all([...sent, ...alone]);
    // As for one Redis: a connection lost mid-pipeline is reported per command; it is not an answer.
    const lost = settled.find(([error]) => error && !isReplyError(error));
    if (lost) throw unreachable(lost[0]);
    return settled;
  }

  return {
    send: (command) => within(timeoutMs, send(command)),
    pipeline: (commands) => within(timeoutMs, pipeline(commands)),
    multi: (commands) =>
      within(
        timeoutMs,
        (async () => {
          if (commands[0]) refuseIfNodeDown(commands[0]);
          return single.multi(commands);
        })(),
      ),
    close: () => single.close(),
  };
}

/**
 * Connects (lazily) to the cluster these nodes belong to (`redis://host:port`, any primary or
 * replica; the rest is discovered). Timeouts and reconnection as connectIoredis: a command waits at
 * most `timeoutMs`, fails at once while the cluster is known lost, and reconnection goes on in the
 * background at most a second apart.
 */
export function connectCluster(urls: readonly string[], timeoutMs = 2_000): RedisBackend {
  const nodes = urls.map((url) => {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: Number(parsed.port || 6379) };
  });
  const first = new URL(urls[0]!);
  const client = new Cluster(nodes, {
    lazyConnect: true,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
    // A command meeting MOVED/ASK/TRYAGAIN/CLUSTERDOWN is retried a few times (a failover or a
    // resharding takes seconds); each try is bounded by commandTimeout, so it still ends.
    maxRedirections: 6,
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 100,
    slotsRefreshTimeout: timeoutMs,
    redisOptions: {
      connectionName: 'conduit',
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 2,
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
      tls: first.protocol === 'rediss:' ? {} : undefined,
    },
  });
  let down = false;
  const lost = (reason: string) => {
    if (down) return;
    down = true;
    log.error({ cluster: true, reason }, 'connection lost; reconnecting');
  };
  client.on('error', (error: Error) => lost(error.message));
  client.on('reconnecting', () => lost('connection lost'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ cluster: true }, 'connection restored');
  });

  // One node down (the rest of the cluster up): commands for its slots are refused at once (503)
  // instead of each waiting out retries and timeouts, and a probe pings it every PROBE_MS until its
  // connection is ready again — nothing else would, since no command is sent there meanwhile. A
  // failover (a replica promoted) moves its slots to another primary, which is not refused.
  const downNodes = new Map<string, NodeJS.Timeout>();
  const nodeKey = (node: { options: { host?: string; port?: number } }) => `${node.options.host}:${node.options.port}`;
  const nodeLost = (node: string, reason: string) => {
    if (downNodes.has(node)) return;
    const probe = setInterval(() => {
      const connection = client.nodes('all').find((candidate) => nodeKey(candidate) === node);
      // Dropped from the pool: a refresh of the slot map puts it back while it still serves slots.
      if (!connection) return client.refreshSlotsCache();
      connection.ping().then(() => nodeBack(node), () => undefined);
    }, PROBE_MS);
    probe.unref();
    downNodes.set(node, probe);
    log.error({ cluster: true, node, reason }, 'cluster node lost; its slots answer 503 until it is back');
  };
  const nodeBack = (node: string) => {
    const probe = downNodes.get(node);
    if (!probe) return;
    clearInterval(probe);
    downNodes.delete(node);
    log.info({ cluster: true, node }, 'cluster node restored');
  };
  client.on('node error', (error: Error, node: string) => nodeLost(node, error?.message ?? 'error'));
  client.on('+node', (connection: { options: { host?: string; port?: number }; on(event: 'ready', listener: () => void): unknown }) => {
    const node = nodeKey(connection);
    connection.on('ready', () => nodeBack(node));
  });
  const backend = clusterBackend(client, () => down, timeoutMs, (node) => downNodes.has(node));
  return {
    ...backend,
    close: async () => {
      for (const probe of downNodes.values()) clearInterval(probe);
      downNodes.clear();
      await backend.close();
    },
  };
}

/** How often a cluster node known down is pinged to see whether it is back. */
const PROBE_MS = 500;
