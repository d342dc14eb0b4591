import 'server-only';
import { RedisReplyError } from './commands';
import { sha1 } from './scripts';

/**
 * Scripts on the embedded store. ioredis-mock runs Lua with fengari and bridges it to JS loosely;
 * what we found (8.13.1), and what is fixed here:
 * - no SCRIPT command: LOAD/EXISTS/FLUSH are emulated (scripts.ts maps EVALSHA to EVAL anyway);
 * - a shebang line is a Lua syntax error: scripts.ts strips it before we get the script;
 * - `redis.call` replies, results and a missing `return`: see LUA_PRELUDE and fromLua;
 * - not fixed: `redis.error_reply`, `redis.status_reply`, `cjson`, `bit` and friends don't exist, and
 *   `redis.pcall` errors don't have Redis' `{ err = ... }` shape.
 */

export function emulateScript([subcommand = '', ...args]: string[]): unknown {
  switch (subcommand.toLowerCase()) {
    case 'load':
      if (args.length !== 1 || args[0] === undefined) break;
      return sha1(args[0]); // no syntax check possible without running it
    case 'exists':
      return args.map(() => 0); // the mock keeps no script cache; scripts.ts answers for known SHAs
    case 'flush':
      return 'OK';
  }
  throw new RedisReplyError(`ERR unknown subcommand or wrong number of arguments for 'script|${subcommand}'`);
}

/**
 * Prepended to every script the mock runs. Its `redis.call` hands Lua JS arrays as userdata
 * proxies: nil elements are a `null` userdata (so `HMGET` of a missing field is neither nil nor
 * false, and the ratelimit token bucket fails), nested arrays are indexed from 0 (SCAN's key list),
 * and `unpack`/`table.*` don't work on them. We turn replies into plain Lua tables with `false` for
 * nil, as Redis does. The copy is built with a table constructor: the mock cannot return a table
 * filled by assignment (it answers undefined). One line, so Lua error line numbers still match the
 * caller's script (whose shebang line is blank after stripping).
 */
const LUA_PRELUDE = [
  'do',
  'local raw_call, raw_pcall = redis.call, redis.pcall',
  'local function plain(v, first)',
  "if type(v) ~= 'userdata' then return v end",
  "if tostring(v) == 'null' then return false end",
  'local t, n = {}, #v',
  'for i = 1, n do t[i] = plain(v[i - 1 + first], 0) end',
  'return {unpack(t, 1, n)}',
  'end',
  'redis.call = function(...) return plain(raw_call(...), 1) end',
  'redis.pcall = function(...) return plain(raw_pcall(...), 1) end',
  'end ',
].join(' ');

/** Redis' Lua-to-RESP conversion, which fengari's bridge skips. */
export function fromLua(value: unknown): unknown {
  if (value === false || value === undefined || value === null) return null;
  if (value === true) return 1;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(fromLua);
  // A script that returns nothing (or a non-array table) comes back as a proxy into the mock's Lua
  // VM, already closed: touching it throws. Redis would answer nil (or an empty array).
  return null;
}

/** EVAL's arguments with the prelude in front of the script. */
export function withLuaPrelude([script = '', ...rest]: string[]): string[] {
  return [LUA_PRELUDE + script, ...rest];
}
