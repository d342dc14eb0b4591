import 'server-only';
import IORedis, { type Cluster } from 'ioredis';
import { ServiceUnavailableError } from '@/lib/unavailable';
import { isReplyError, RedisReplyError, type RedisBackend, type Settled } from './commands';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'redis' });

/**
 * Anything but Redis' own error reply — a refused or dropped connection, a command that timed out,
 * retries given up — means Redis could not be reached: the request that needed it gets a 503.
 */
export function unreachable(error: unknown): Error {
  return isReplyError(error) ? error : new ServiceUnavailableError('redis', { cause: error });
}

/**
 * A TCP Redis server through one ioredis connection. Commands go through `call()` so that any
 * command name works (ioredis' batch form `pipeline([['incr', k]])` only knows its built-in
 * methods); ioredis still applies its HGETALL reply transformer there, which commands.ts undoes.
 * A Cluster client works here too for single commands and MULTI (one slot); its pipelines are
 * split by node in cluster-backend.ts.
 */
export function ioredisBackend(client: IORedis | Cluster, isDown: () => boolean = () => false): RedisBackend {
  const asCalls = (commands: string[][]) => commands.map((command) => ['call', ...command]);
  // While the connection is known to be lost, a command fails at once instead of waiting out its
  // timeout in the offline queue: a request then answers 503 in a millisecond, not a second.
  const refuseWhileDown = () => {
    if (isDown()) throw new ServiceUnavailableError('redis', { cause: new Error(`connection lost (${client.status})`) });
  };

  return {
    async send([name = '', ...args]) {
      refuseWhileDown();
      return client.call(name, ...args).catch((error: unknown) => {
        throw unreachable(error);
      });
    },

    async pipeline(commands) {
      refuseWhileDown();
      const settled = ((await client
        .pipeline(asCalls(commands))
        .exec()
        .catch((error: unknown) => {
          throw unreachable(error);
        })) ?? []) as Settled[];
      // ioredis reports a connection lost mid-pipeline per command, like Redis' own errors.
      const lost = settled.find(([error]) => error && !isReplyError(error));
      if (lost) throw unreachable(lost[0]);
      return settled;
    },

    async multi(commands) {
      refuseWhileDown();
      try {
        const settled = await client.multi(asCalls(commands)).exec();
        // exec() resolves to null only when a WATCHed key changed; we never WATCH, but don't lie.
        if (!settled) throw new RedisReplyError('EXECABORT Transaction discarded');
        return settled as Settled[];
      } catch (error) {
        // ioredis keeps the reason (e.g. an unknown command) in `previousErrors`; surface it.
        const previous = (error as { previousErrors?: Error[] }).previousErrors?.[0];
        if (previous && error instanceof Error && error.message.startsWith('EXECABORT')) {
          throw new RedisReplyError(`${error.message.replace(/\.$/, '')}: ${previous.message}`);
        }
        throw unreachable(error);
      }
    },

    async close() {
      // quit() on a lazy client that never connected would open a connection just to close it.
      if (client.status === 'wait' || client.status === 'end') client.disconnect();
      else await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * Opens (lazily, on first command) a connection to `url` (redis:// or rediss://). Every command
 * sits on some request's path, so none may wait long for a Redis that is down: once the connection
 * is known to be lost (an error, a reconnect scheduled) commands fail at once; one sent to a Redis
 * that stopped answering without closing (a black-holed network) fails after `timeoutMs`. Either
 * way the request answers 503. Reconnecting goes on in the background at most a second apart, so
 * service comes back on its own as soon as Redis does.
 */
export function connectIoredis(url: string, timeoutMs = 2_000): RedisBackend {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectionName: 'conduit',
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
  });
  // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt; one
  // line when the connection goes and one when it is back say the same without a line a second.
  let down = false;
  const lost = (reason: string) => {
    if (down) return;
    down = true;
    log.error({ reason }, 'connection lost; reconnecting');
  };
  client.on('error', (error: Error) => lost(error.message));
  client.on('reconnecting', () => lost('connection lost'));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info('connection restored');
  });
  return ioredisBackend(client, () => down);
}
