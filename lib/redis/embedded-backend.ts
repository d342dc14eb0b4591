import 'server-only';
import IORedis from 'ioredis';
import RedisMock from 'ioredis-mock';
import { RedisReplyError, errorMessage, type RedisBackend, type Settled } from './commands';
import { checkCounterCommand, withUpperCaseOptions } from './embedded-compat';
import { emulateScript, fromLua, withLuaPrelude } from './embedded-lua';

/**
 * The zero-configuration store for `npm run dev`: ioredis-mock, in memory, in this process.
 *
 * ioredis-mock (8.13.1) is not a faithful Redis. What we found, and what the adapter does about it:
 * - Requests interleave between awaits, and some fixes below read before they write, so the store
 *   runs one request (command, pipeline or transaction) at a time, as Redis does.
 * - INCR/INCRBY/HINCRBY... on a non-integer store "NaN" instead of failing; option keywords are only
 *   recognised in upper case (`set k v nx px 5` silently ignores NX): fixed in embedded-compat.ts.
 * - No SCRIPT command and no EVAL_RO/EVALSHA_RO; Lua (fengari) diverges from Redis' Lua in several
 *   ways (nil/false, nested replies, return values): fixed in embedded-lua.ts, details there.
 * - Not fixed: most commands never raise WRONGTYPE; inside scripts `redis.call` reaches the mock
 *   directly (no counter checks, upper-case options only); SCAN/HSCAN MATCH patterns are turned
 *   into regexes without escaping `)` (a pattern containing it throws) and `?` matches 0 or 1
 *   character; SET KEEPTTL drops the TTL; counters use JS numbers (imprecise past 2^53).
 * - Mock instances with the same host/port share one dataset: the store is process-wide anyway.
 */

/** Every Redis command name ioredis knows; anything else on the mock (disconnect, duplicate...) is not a command. */
const KNOWN_COMMANDS = new Set(IORedis.prototype.getBuiltinCommands());

type Method = (...args: string[]) => Promise<unknown>;

/** The mock lacks the read-only script variants; run them as the plain ones (writes not refused). */
const commandName = (name: string) => {
  const lower = name.toLowerCase();
  return lower === 'eval_ro' || lower === 'evalsha_ro' ? lower.slice(0, -3) : lower;
};

async function invoke(mock: IORedis, command: string[]): Promise<unknown> {
  const [name = '', ...args] = command;
  const lower = commandName(name);
  if (lower === 'script') return emulateScript(args);
  const method = KNOWN_COMMANDS.has(lower) ? (mock as unknown as Record<string, unknown>)[lower] : undefined;
  if (typeof method !== 'function') throw new RedisReplyError(`ERR unknown command '${name}'`);
  await checkCounterCommand(mock, lower, args);
  let reply: unknown;
  try {
    const input = lower === 'eval' ? withLuaPrelude(args) : withUpperCaseOptions(lower, args);
    reply = await (method as Method).apply(mock, input);
  } catch (error) {
    // Commands the mock lacks are defined as methods that throw "Unsupported command: ...".
    const unsupported = error instanceof TypeError && error.message.startsWith('Unsupported command');
    throw new RedisReplyError(unsupported ? `ERR command '${lower}' is not supported by the embedded store` : errorMessage(error));
  }
  return lower === 'eval' || lower === 'evalsha' ? fromLua(reply) : reply;
}

export function embeddedBackend(mock: IORedis = new RedisMock()): RedisBackend {
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
  const settleAll = async (commands: string[][]): Promise<Settled[]> => {
    const settled: Settled[] = [];
    for (const command of commands) {
      try {
        settled.push([null, await invoke(mock, command)]);
      } catch (error) {
        settled.push([error instanceof Error ? error : new RedisReplyError(String(error)), null]);
      }
    }
    return settled;
  };

  return {
    send: (command) => exclusive(() => invoke(mock, command)),
    pipeline: (commands) => exclusive(() => settleAll(commands)),
    multi: (commands) =>
      exclusive(async () => {
        // Redis rejects unknown commands while queueing and then discards the transaction.
        const unknown = commands.find(([name = '']) => !KNOWN_COMMANDS.has(commandName(name)));
        if (unknown) {
          throw new RedisReplyError(`EXECABORT Transaction discarded because of previous errors: ERR unknown command '${unknown[0]}'`);
        }
        return settleAll(commands);
      }),
    close: async () => mock.disconnect(),
  };
}
