/**
 * The Lua that makes limits exact. Each script runs atomically in Redis, so checks and
 * increments cannot interleave between parallel requests: no limit can be overshot.
 * Written for Lua 5.1 (Redis) and fengari's 5.3 (the embedded store), whose integers are 32-bit
 * and overflow past $2,147 in micro-dollars: all arithmetic is done in doubles (exact to 2^53),
 * and numbers go back to Redis formatted as integers. No cjson (fengari has none).
 */

const NUMBERS = `
local function num(x) return (tonumber(x) or 0) + 0.0 end
local function int(x) return string.format('%.0f', x) end
`;

/**
 * Admission: all rate windows, all spend windows and the credit balance in one round trip.
 * Nothing is counted unless everything passes, so a request refused by one window does not
 * consume the others.
 *
 * KEYS  1-3 rate counters (minute, hour, day) · 4-6 spend counters (day, week, month)
 *       7 credit balance · 8 the account's reservations (sorted set, score = deadline) · 9 the key's spend marker
 *       (all of one account: one Redis Cluster slot, by the account's hash tag)
 * ARGV  1-3 rate limits (0 = none) · 4-6 rate window ms · 7-9 spend limits (-1 = none)
 *       10 spend counter ttl s · 11 prompt cost (upper bound) · 12 output price per 1M tokens
 *       13 client's max output tokens (0 = not given) · 14 model's max output tokens
 *       15 request id (names the reservation) · 16 reservation deadline (ms, the lease's end)
 * Returns {'rate', window} | {'unknown', creditMissing, spendMissing} | {'budget', binding}
 *       | {'ok', outputTokens, reserved, used1, used2, used3}
 *
 * A missing credit balance is unknown, not zero: Redis never had it (a new account) or lost it
 * (a restart without persistence). So is a missing spend counter — unless the key's spend marker
 * is there: it is written with the counters when they are rebuilt from PostgreSQL and lives as long
 * as they do, so while it exists Redis has lost none of this key's counters, and a missing one is a
 * window that just began (0). That keeps PostgreSQL off the path at midnight: a key needs it only
 * after Redis lost its data, on first use, and when the marker expires (35 days). The caller
 * rebuilds what is unknown and asks once more (lib/gateway/completion.ts). Admitting against a zero
 * it made up would let a key spend its limit a second time. (Evicting counters but not the marker
 * would defeat this: Redis must not evict — README, "Redis settings for production".)
 *
 * Every check only reads: a refused request writes nothing. (Counting the rate windows first and
 * undoing the count on a refusal saves three reads for an admitted request, but makes every
 * refusal — a client retrying past its limit — write to Redis; not worth it.)
 */
export const ADMIT = `${NUMBERS}
for i = 1, 3 do
  local limit = num(ARGV[i])
  if limit > 0 and num(redis.call('GET', KEYS[i])) >= limit then
    return {'rate', i}
  end
end
local credit = redis.call('GET', KEYS[7])
local spent = {redis.call('GET', KEYS[4]), redis.call('GET', KEYS[5]), redis.call('GET', KEYS[6])}
local spendKnown = (spent[1] and spent[2] and spent[3]) or redis.call('EXISTS', KEYS[9]) == 1
if not (credit and spendKnown) then return {'unknown', credit and 0 or 1, spendKnown and 0 or 1} end
local available = num(credit)
local binding = 0
for i = 1, 3 do
  local limit = num(ARGV[6 + i])
  if limit >= 0 then
    local room = limit - num(spent[i])
    if room < available then available = room; binding = i end
  end
end
local promptCost = num(ARGV[11])
local price = num(ARGV[12])
local requested = num(ARGV[13])
local outputTokens = requested > 0 and requested or num(ARGV[14])
local oneToken = 0
if outputTokens > 0 then oneToken = math.ceil(price / 1000000) end
-- A request that cannot cost anything (a free model: reserved below is 0) passes whatever the
-- credit and spend windows hold: a refund may have left the balance negative, and spending
-- nothing passes no limit. Rate windows above still apply.
local free = promptCost + oneToken == 0
if not free and available < promptCost + oneToken then return {'budget', binding} end
if price > 0 and not free then
  -- Capped so room * 1e6 stays exact in a double; $9,000 buys more than any model's max output.
  local room = math.min(available - promptCost, 9000000000)
  local affordable = math.floor(room * 1000000 / price)
  if affordable < outputTokens then
    if requested > 0 then return {'budget', binding} end
    outputTokens = affordable
  end
end
local reserved = promptCost + math.ceil(outputTokens * price / 1000000)
local used = {0, 0, 0}
for i = 1, 3 do
  if num(ARGV[i]) > 0 then
    used[i] = redis.call('INCR', KEYS[i])
    if used[i] == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3 + i]) end
  end
end
for i = 4, 6 do
  redis.call('INCRBY', KEYS[i], int(reserved))
  redis.call('EXPIRE', KEYS[i], ARGV[10])
end
redis.call('DECRBY', KEYS[7], int(reserved))
if reserved > 0 then
  local member = table.concat({ARGV[15], int(reserved), KEYS[7], KEYS[4], KEYS[5], KEYS[6]}, '|')
  redis.call('ZADD', KEYS[8], ARGV[16], member)
end
-- A table constructor, not appends: the embedded store's Lua bridge drops appended tables.
return {'ok', outputTokens, reserved, used[1], used[2], used[3]}
`;

/**
 * Settlement: replaces the reservation by the real cost (never more than was reserved). If the
 * sweeper already released the reservation — its lease lapsed: the instance could not reach Redis
 * to renew it for longer than a lease, or the request outlived the 90-minute cap (lib/limits/
 * leases.ts) — ZREM finds nothing and the real cost is added instead, so nothing is lost or
 * counted twice.
 *
 * Only counters that exist are adjusted. One that is missing (Redis lost it since admission) is
 * left missing, so the next admission rebuilds it from PostgreSQL, where this request's record
 * lands too: INCRBY would create it holding this one request and hide the loss.
 *
 * The request's usage record is not pushed here: the usage queue has its own hash slot (one queue
 * for every account), and a script may only touch keys of one slot. It is pushed in the same
 * pipeline, just before this script (admission.ts, settle).
 *
 * KEYS 1-3 spend counters · 4 credit balance · 5 the account's reservations (all one account's slot)
 * ARGV 1 reserved · 2 cost · 3 reservation member
 * Returns the change applied to the counters.
 */
export const SETTLE = `${NUMBERS}
local reserved = num(ARGV[1])
local delta = num(ARGV[2])
if reserved == 0 or redis.call('ZREM', KEYS[5], ARGV[3]) == 1 then delta = delta - reserved end
if delta ~= 0 then
  for i = 1, 3 do
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], int(delta)) end
  end
  -- Likewise a missing balance: the next request reloads it from the ledger, which a made-up
  -- negative balance would prevent.
  if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('DECRBY', KEYS[4], int(delta)) end
end
return int(delta)
`;

/**
 * Sweeper, for one account: releases the given reservations if their deadline really passed
 * (their instance stopped renewing them: it died mid-request) — the caller read them a moment
 * ago, and one may have been renewed or settled since. Members are
 * "requestId|reserved|creditKey|spendKey1|spendKey2|spendKey3"; every key a member names must be
 * declared (a cluster only runs a script on the keys it declares, all of one slot), and one that
 * is not is left alone. As in SETTLE, only counters that still exist are given the amount back.
 *
 * KEYS 1 the account's reservations · 2.. the counters the members name
 * ARGV 1 now (ms) · 2.. members
 * Returns {released, the earliest deadline left (-1 if none)}.
 */
export const SWEEP = `${NUMBERS}
local declared = {}
for i = 2, #KEYS do declared[KEYS[i]] = true end
local released = 0
for i = 2, #ARGV do
  local member = ARGV[i]
  local deadline = redis.call('ZSCORE', KEYS[1], member)
  if deadline and num(deadline) <= num(ARGV[1]) then
    local parts = {}
    for part in string.gmatch(member, '[^|]+') do parts[#parts + 1] = part end
    redis.call('ZREM', KEYS[1], member)
    if declared[parts[3]] and redis.call('EXISTS', parts[3]) == 1 then redis.call('INCRBY', parts[3], parts[2]) end
    for j = 4, 6 do
      if declared[parts[j]] and redis.call('EXISTS', parts[j]) == 1 then redis.call('DECRBY', parts[j], parts[2]) end
    end
    released = released + 1
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {released, first[2] or -1}
`;

/**
 * Takes back an admission's count in its rate windows (an admission undone: admission.ts): DECR of
 * each counter that still exists — one that expired is a window already over, and DECR would
 * create it at -1 without an expiry. KEYS the rate counters (one account's slot) · no ARGV.
 */
export const UNCOUNT = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return 1
`;

/**
 * An account's entry in the index of accounts with reservations (leases.ts), as ZADD LT: added if
 * missing, lowered if later than this deadline, never raised — except a tombstone (see REINDEX),
 * which is replaced: the account is live again, and the sweeper must not remove it as empty.
 * KEYS 1 index shard · ARGV 1 deadline · 2 account
 */
export const INDEX = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not score or tonumber(score) > tonumber(ARGV[1]) or tonumber(score) % 1 ~= 0 then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

/**
 * The index of accounts with reservations (leases.ts): after sweeping an account whose entry said
 * `ARGV[2]`, moves the entry to the account's earliest deadline left — unless it changed meanwhile
 * (an admission lowered it: that entry stands). An account seen empty is not removed at once: in a
 * cluster an admission's index write and its reservation land on two nodes, and the reservation
 * may arrive just after the sweeper looked. Its entry becomes a tombstone (ARGV[4], a deadline with
 * a half millisecond: deadlines are whole) looked at again a lease later, and removed only if the
 * account is still empty then and no admission has written the entry since (INDEX replaces a
 * tombstone).
 * KEYS 1 index shard · ARGV 1 account · 2 the score read · 3 earliest deadline left (-1: none) · 4 tombstone score
 * Returns 0 (changed meanwhile) · 1 (moved) · 2 (removed) · 3 (tombstone).
 */
export const REINDEX = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if tonumber(ARGV[3]) < 0 then
  if tonumber(score) % 1 ~= 0 then
    redis.call('ZREM', KEYS[1], ARGV[1])
    return 2
  end
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  return 3
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`;

/**
 * Rebuild of spend counters from PostgreSQL (lib/limits/spend-counters.ts): each counter is
 * written only if it is still missing — SET NX, with its expiry in the same command — so
 * rebuilders racing on several instances are harmless: the first one wins, and a counter that
 * admissions have already moved on from is never overwritten by an older sum.
 *
 * Then each key's spend marker (see ADMIT) is written, for as long as counters live: from now on
 * a missing counter of the key is a new window.
 *
 * KEYS 1..n spend counters, then m markers · ARGV 1..n their settled spend (micro-dollars) · n+1 ttl s · n+2 m
 * Returns each counter's value afterwards: the one written, or the one found.
 */
export const RESTORE_SPEND = `
local n = #KEYS - ARGV[#ARGV]
local ttl = ARGV[n + 1]
local values = {}
for i = 1, n do
  if redis.call('SET', KEYS[i], ARGV[i], 'NX', 'EX', ttl) then
    values[i] = ARGV[i]
  else
    values[i] = redis.call('GET', KEYS[i])
  end
end
for i = n + 1, #KEYS do redis.call('SET', KEYS[i], '1', 'EX', ttl) end
-- Copied into a table constructor: the embedded store's Lua bridge drops tables filled by assignment.
return {unpack(values, 1, n)}
`;
