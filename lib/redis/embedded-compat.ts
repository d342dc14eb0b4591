import 'server-only';
import type IORedis from 'ioredis';
import { RedisReplyError } from './commands';

/**
 * Where ioredis-mock parts from Redis in ways app code would notice, and the fixes applied before a
 * command reaches it. The embedded backend runs one request at a time, so nothing changes between a
 * check here and the mock's write.
 */

// --- Option keywords ---------------------------------------------------------------------------
// The mock only recognises upper-case options (`SET k v NX PX 5`), while Redis ignores case and the
// SDK sends lower case (`set k v nx px 5`): the mock would silently ignore NX. We upper-case
// arguments only where the command's syntax puts options, never keys, values or members.

type OptionRule = { from: number; keywords: Set<string>; mode?: 'leading' | 'pairs' };
const rule = (from: number, keywords: string, mode?: OptionRule['mode']): OptionRule => ({
  from,
  keywords: new Set(keywords.split(' ')),
  mode,
});
const EXPIRE_RULE = rule(2, 'NX XX GT LT');
const RANGE_RULE = rule(3, 'LIMIT WITHSCORES');

const OPTION_RULES: Record<string, OptionRule> = {
  set: rule(2, 'NX XX GET EX PX EXAT PXAT KEEPTTL'), // (KEEPTTL is accepted but the mock drops the TTL)
  zadd: rule(1, 'NX XX GT LT CH INCR', 'leading'), // options come before the first score
  zrange: rule(3, 'BYSCORE BYLEX REV LIMIT WITHSCORES'),
  zrangebyscore: RANGE_RULE,
  zrevrangebyscore: RANGE_RULE,
  zrangebylex: RANGE_RULE,
  zrevrangebylex: RANGE_RULE,
  expire: EXPIRE_RULE,
  pexpire: EXPIRE_RULE,
  expireat: EXPIRE_RULE,
  pexpireat: EXPIRE_RULE,
  scan: rule(1, 'MATCH COUNT TYPE', 'pairs'), // keyword, value, keyword, value: a pattern may read "count"
  hscan: rule(2, 'MATCH COUNT', 'pairs'),
  sscan: rule(2, 'MATCH COUNT', 'pairs'),
  zscan: rule(2, 'MATCH COUNT', 'pairs'),
  lpos: rule(2, 'RANK COUNT MAXLEN', 'pairs'),
};

/** `args` with the option keywords of command `name` upper-cased. */
export function withUpperCaseOptions(name: string, args: string[]): string[] {
  const options = OPTION_RULES[name];
  if (!options) return args;
  const normalised = args.slice();
  for (let i = options.from; i < normalised.length; i += options.mode === 'pairs' ? 2 : 1) {
    const upper = (normalised[i] ?? '').toUpperCase();
    if (options.keywords.has(upper)) normalised[i] = upper;
    else if (options.mode === 'leading') break;
  }
  return normalised;
}

// --- Counters ----------------------------------------------------------------------------------
// The mock happily runs INCR on "abc" (the key becomes "NaN") or on a hash. Counters are what this
// store is for, so we check what Redis checks before letting the mock write. (The mock also counts
// with JS numbers: values past 2^53 lose precision; Redis would not.)

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^(0|-?[1-9]\d{0,18})$/; // Redis' string2ll: no sign, spaces or leading zeros

const isInteger = (value: string) => INTEGER.test(value) && BigInt(value) >= INT64_MIN && BigInt(value) <= INT64_MAX;
const isFloat = (value: string) => value !== '' && value.trim() === value && Number.isFinite(Number(value));

const ARITY: Record<string, number> = { incr: 1, decr: 1, incrby: 2, decrby: 2, incrbyfloat: 2, hincrby: 3, hincrbyfloat: 3 };

function fail(message: string): never {
  throw new RedisReplyError(message);
}

async function expectType(mock: IORedis, key: string, type: 'string' | 'hash') {
  const actual = await mock.type(key);
  if (actual !== 'none' && actual !== type) fail('WRONGTYPE Operation against a key holding the wrong kind of value');
}

function expectInRange(current: string | null, increment: string) {
  const sum = BigInt(current ?? '0') + BigInt(increment);
  if (sum < INT64_MIN || sum > INT64_MAX) fail('ERR increment or decrement would overflow');
}

/** Throws the error Redis would raise for a counter command on this data; no-op for other commands. */
export async function checkCounterCommand(mock: IORedis, name: string, args: string[]): Promise<void> {
  const arity = ARITY[name];
  if (arity === undefined) return;
  if (args.length !== arity) fail(`ERR wrong number of arguments for '${name}' command`);
  const [key = '', second = '', third = ''] = args;
  const float = name.endsWith('float');
  const valid = float ? isFloat : isInteger;

  if (name.startsWith('h')) {
    await expectType(mock, key, 'hash');
    if (!valid(third)) fail(float ? 'ERR value is not a valid float' : 'ERR value is not an integer or out of range');
    const current = await mock.hget(key, second);
    if (current !== null && !valid(current)) fail(float ? 'ERR hash value is not a float' : 'ERR hash value is not an integer');
    if (!float) expectInRange(current, third);
    return;
  }

  await expectType(mock, key, 'string');
  const increment = name === 'incr' || name === 'decr' ? '1' : second;
  if (!valid(increment)) fail(float ? 'ERR value is not a valid float' : 'ERR value is not an integer or out of range');
  const current = await mock.get(key);
  if (current !== null && !valid(current)) fail(float ? 'ERR value is not a valid float' : 'ERR value is not an integer or out of range');
  if (!float) expectInRange(current, name.startsWith('decr') ? `${-BigInt(increment)}` : increment);
}
