import 'server-only';
import IORedis from 'ioredis';
import { RedisReplyError, type RedisBackend, type Settled } from './commands';

/**
 * A TCP Redis server through one ioredis connection. Commands go through `call()` so that any
 * command name works (ioredis' batch form `pipeline([['incr', k]])` only knows its built-in
 * methods); ioredis still applies its HGETALL reply transformer there, which commands.ts undoes.
 */
export function ioredisBackend(client: IORedis): RedisBackend {
  const asCalls = (commands: string[][]) => commands.map((command) => ['call', ...command]);

  return {
    send: ([name = '', ...args]) => client.call(name, ...args),

    async pipeline(commands) {
      return ((await client.pipeline(asCalls(commands)).exec()) ?? []) as Settled[];
    },

    async multi(commands) {
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
        throw error;
      }
    },

    async close() {
      // quit() on a lazy client that never connected would open a connection just to close it.
      if (client.status === 'wait' || client.status === 'end') client.disconnect();
      else await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Opens (lazily, on first command) a connection to `url` (redis:// or rediss://). */
export function connectIoredis(url: string): RedisBackend {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectionName: 'conduit',
    // Rate limits sit on the request path: fail a command after a couple of reconnect attempts
    // rather than queueing it for ioredis' default 20.
    maxRetriesPerRequest: 2,
  });
  // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt.
  client.on('error', (error: Error) => console.error(`[redis] ${error.message}`));
  return ioredisBackend(client);
}
