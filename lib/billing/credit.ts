import 'server-only';
import type { Redis } from '@upstash/redis';
import { getDb } from '@/db';
import { insertLedgerEntry, ledgerSnapshot, sumLedger } from '@/db/queries/credit';
import type { CreditKind } from '@/db/schema';
import { env } from '@/lib/env';
import { randomId } from '@/lib/keys/secret';
import type { Micros } from '@/lib/money';
import { getRedis } from '@/lib/redis/client';
import { accountTag } from '@/lib/redis/key-slot';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'credit' });

/**
 * Prepaid credit. The ledger in PostgreSQL is the truth; `conduit:credit:{u:<userId>}` in Redis is the
 * hot copy the gateway checks and reserves against with its own script (lib/limits/lua.ts):
 *
 *   Redis balance = ledger sum − usage settled but not yet drained − live reservations.
 *
 * So the Redis balance can never be recomputed from the ledger while it exists: that would hand
 * back every undrained request and every reservation in flight. It is computed from the ledger
 * only when the key is absent — first use, or Redis was flushed, in which case the undrained usage
 * queue and the reservations went with it and the ledger is the best truth left. After that,
 * grants are applied to both: the ledger row first, then the Redis copy.
 *
 * The one race: a load reads the ledger and writes the key while a grant commits its row and then
 * adjusts the key. Read the row and also increment → counted twice; miss the row and skip the
 * increment (the key did not exist yet) → lost. Both are closed by a per-account hash of grant
 * notes, `conduit:credit:{u:<userId>}:grants` (ledger id → 'applied' | amount), touched only by the two
 * scripts below, each atomic in Redis:
 * - a grant, after its COMMIT: if already 'applied' → nothing; if the balance exists → INCRBY and
 *   mark 'applied'; else leave its amount as a note;
 * - a load, with the ledger sum and the ids of recent non-usage rows read in ONE snapshot: if the
 *   balance exists → keep it (never overwritten); else balance = sum + the notes of rows it did not
 *   read, and every row it read or noted is marked 'applied'.
 * Whatever the interleaving, each grant lands in the balance exactly once — provided a grant's
 * Redis step follows its COMMIT within RECENT_SECONDS (the "recent" window and the notes' life).
 * A process that dies between the two never takes its Redis step: the copy then under-counts
 * that grant (never over-counts) until the key is next loaded from the ledger.
 */

// The account's hash tag keeps the three in one Redis Cluster slot with the account's limits, so
// these scripts and the gateway's (lib/limits/lua.ts) may use them together.
export const creditBalanceKey = (userId: string) => `conduit:credit:${accountTag(userId)}`;
const grantNotesKey = (userId: string) => `conduit:credit:${accountTag(userId)}:grants`;
/** Set when the account is being deleted (before its COMMIT): no balance is loaded while it exists. */
const deletedMarkerKey = (userId: string) => `conduit:credit:${accountTag(userId)}:deleted`;
/**
 * How long the marker outlives the deletion. After the COMMIT the ledger read says the account is
 * gone; the marker only has to cover a load that read the ledger before the COMMIT and writes after.
 */
const DELETED_MARKER_TTL_SECONDS = 24 * 3600;

const RECENT_SECONDS = 3_600;
const NOTES_TTL_SECONDS = 2 * RECENT_SECONDS;

/** KEYS 1 balance · 2 notes  ARGV 1 ledger id · 2 amount · 3 notes ttl. Arithmetic stays in Redis. */
const APPLY_GRANT = `
if redis.call('HGET', KEYS[2], ARGV[1]) == 'applied' then return 0 end
local applied = redis.call('EXISTS', KEYS[1]) == 1
if applied then redis.call('INCRBY', KEYS[1], ARGV[2]) end
redis.call('HSET', KEYS[2], ARGV[1], applied and 'applied' or ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return applied and 1 or 2
`;

/**
 * KEYS 1 balance · 2 notes · 3 deleted marker  ARGV 1 ledger sum · 2 notes ttl · 3.. ids of the
 * recent rows read. Sums in doubles (exact to 2^53; fengari's integers are 32-bit), written back
 * as an integer. Returns nil (writing nothing) for an account being deleted.
 */
const LOAD = `
local current = redis.call('GET', KEYS[1])
if current then return current end
if redis.call('EXISTS', KEYS[3]) == 1 then return false end
local balance = tonumber(ARGV[1]) + 0.0
local read = {}
for i = 3, #ARGV do read[ARGV[i]] = true end
for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
  local note = redis.call('HGET', KEYS[2], id)
  if note ~= 'applied' then
    if not read[id] then balance = balance + tonumber(note) end
    redis.call('HSET', KEYS[2], id, 'applied')
  end
end
for i = 3, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], 'applied') end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
local text = string.format('%.0f', balance)
redis.call('SET', KEYS[1], text)
return text
`;

/** The account's balance according to the ledger alone. */
export async function ledgerBalance(userId: string): Promise<Micros> {
  return sumLedger(await getDb(), userId);
}

/** The live Redis balance; loaded from the ledger first if the key is absent (never overwritten). */
export async function loadCreditBalance(userId: string, redis: Redis = getRedis()): Promise<Micros> {
  const current = await redis.get<number | string>(creditBalanceKey(userId));
  if (current !== null) return Number(current);
  const { balance, recentGrantIds, accountExists } = await ledgerSnapshot(await getDb(), userId, RECENT_SECONDS);
  // A deleted account (lib/auth/account-deletion.ts) is never loaded: a balance written now would
  // let admission go on for a key of it an instance still holds. Left missing, admission refuses.
  if (!accountExists) return 0;
  // The deletion's own ledger read cannot stop a load: until its COMMIT the account still exists
  // to every other connection. Its marker, checked in the same atomic step as the write, does.
  const loaded = await redis.eval<(string | number)[], number | string | null>(
    LOAD,
    [creditBalanceKey(userId), grantNotesKey(userId), deletedMarkerKey(userId)],
    [balance, NOTES_TTL_SECONDS, ...recentGrantIds],
  );
  return loaded === null ? 0 : Number(loaded);
}

/** KEYS 1 balance · 2 notes · 3 deleted marker  ARGV 1 marker ttl. Marker first, in one step. */
const MARK_DELETED = `
redis.call('SET', KEYS[3], '1', 'EX', ARGV[1])
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`;

/**
 * Account deletion, before its COMMIT: removes the live balance and grant notes, and marks the
 * account so no balance is loaded again (admission, which needs the balance, then refuses) —
 * not even by a load that read the ledger while the deletion was still uncommitted.
 */
export async function markCreditDeleted(userId: string, redis: Redis = getRedis()): Promise<void> {
  await redis.eval(MARK_DELETED, [creditBalanceKey(userId), grantNotesKey(userId), deletedMarkerKey(userId)], [DELETED_MARKER_TTL_SECONDS]);
}

/**
 * The deletion rolled back: balances load again. The one dropped is reloaded from the ledger on
 * next use (which forgets undrained usage and live reservations, as after a Redis flush).
 */
export async function unmarkCreditDeleted(userId: string, redis: Redis = getRedis()): Promise<void> {
  await redis.del(deletedMarkerKey(userId));
}

/** Every kind but 'usage': usage is debited in Redis by the gateway and in the ledger by the drain. */
export type GrantKind = Exclude<CreditKind, 'usage'>;

export interface Grant {
  userId: string;
  kind: GrantKind;
  /** Positive adds credit, negative removes it (refund, dispute, adjustment). */
  amountMicros: Micros;
  /** What makes the grant unique for its kind: a Stripe object id, the user id for the trial... */
  reference: string;
  /** Stripe's receipt for the payment behind a purchase or top-up. */
  receiptUrl?: string | null;
}

/**
 * Records a grant; true when it was new. A duplicate (same kind and reference, e.g. a replayed
 * webhook) changes nothing and returns false, however many arrive at once: the unique index picks
 * one. Only that one then adjusts the Redis copy, after its COMMIT (see the top of this file).
 */
export async function grantCredit(grant: Grant, redis: Redis = getRedis()): Promise<boolean> {
  const { userId, kind, amountMicros, reference, receiptUrl = null } = grant;
  if ((kind as CreditKind) === 'usage') throw new Error("grantCredit cannot record 'usage'");
  if (!Number.isSafeInteger(amountMicros)) throw new RangeError(`Not a whole number of micro-dollars: ${amountMicros}`);
  if (!reference) throw new Error('A grant needs a reference (it is what makes it idempotent)');

  const id = randomId('cr');
  const inserted = await insertLedgerEntry(await getDb(), { id, userId, kind, amountMicros, reference, receiptUrl });
  if (!inserted) return false;
  try {
    await redis.eval(APPLY_GRANT, [creditBalanceKey(userId), grantNotesKey(userId)], [id, amountMicros, NOTES_TTL_SECONDS]);
  } catch (error) {
    // The ledger has it; the hot copy under-counts it until the key is next loaded. Throwing
    // would not help: a retried grant is a duplicate and never reaches this line again.
    log.error({ err: error, grant: id, userId }, 'grant recorded but not applied to the Redis balance');
  }
  return true;
}

/**
 * The trial credit every new account starts with (TRIAL_CREDIT_USD; none when 0), once per
 * account. Never throws: it runs right after the account was created, and failing the sign-up
 * then would leave an account its owner was told does not exist. A failure is logged.
 */
export async function grantTrialCredit(userId: string): Promise<boolean> {
  const amountMicros = env().TRIAL_CREDIT_USD;
  if (amountMicros <= 0) return false;
  try {
    return await grantCredit({ userId, kind: 'trial_grant', amountMicros, reference: userId });
  } catch (error) {
    log.error({ err: error, userId }, 'trial credit failed');
    return false;
  }
}
