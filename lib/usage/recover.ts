/**
 * A script of the queue's consumers (consumer.ts), shared with the move of an older release's keys
 * (legacy-queue.ts): its own module, since consumer.ts imports legacy-queue.ts.
 */

/**
 * Moves up to ARGV[1] entries of a dead consumer's list into ours; forgets the dead consumer once
 * its list is empty — unless it heartbeated since we judged it dead (then it is alive after all,
 * and forgetting it would orphan whatever it claims next).
 * KEYS 1 dead's list · 2 our list · 3 consumers  ARGV 1 max · 2 dead consumer · 3 idle cutoff ms
 */
export const RECOVER = `
local moved = 0
local most = tonumber(ARGV[1])
while moved < most do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') then break end
  moved = moved + 1
end
local seen = redis.call('ZSCORE', KEYS[3], ARGV[2])
if redis.call('LLEN', KEYS[1]) == 0 and seen and tonumber(seen) <= tonumber(ARGV[3]) then
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return moved
`;
