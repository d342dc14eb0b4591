import 'server-only';
import { Cluster, Command } from 'ioredis';
import type { Pipeline } from 'ioredis';
import { ServiceUnavailableError } from '@/lib/unavailable';
import { isReplyError, type RedisBackend, type Settled } from './commands';
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
 * - Scripts: the command layer sends a script it knows as EVAL (commands.ts), so no node needs it
 *   preloaded; an unknown EVALSHA meets NOSCRIPT on the node that lacks it and the caller falls
 *   back to EVAL, as on one Redis.
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

export function clusterBackend(client: Cluster, isDown: () => boolean = () => false, timeoutMs = 2_000): RedisBackend {
  // MULTI/EXEC (one slot, by the key names) and close() behave as for one Redis.
  const single = ioredisBackend(client, isDown);
  const refuseWhileDown = () => {
    if (isDown()) throw new ServiceUnavailableError('redis', { cause: new Error(`cluster connection lost (${client.status})`) });
  };

  async function onEveryPrimary([name = '', ...args]: string[]): Promise<unknown> {
    const replies = await Promise.all(client.nodes('master').map((node) => node.call(name, ...args)));
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
    if (!everywhere(command)) return single.send(command);
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
      let group = groups.get(node);
      if (!group) groups.set(node, (group = { pipeline: client.pipeline() as Pipeline, at: [] }));
      group.pipeline.sendCommand(command);
      group.at.push(i);
    });
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
    multi: (commands) => within(timeoutMs, single.multi(commands)),
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
  client.on('node error', () => {}); // one node's trouble: its commands fail (503) and are retried; logged once above if the cluster goes
  client.on('reconnecting', () => lost('connection lost'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ cluster: true }, 'connection restored');
  });
  return clusterBackend(client, () => down, timeoutMs);
}
