import 'server-only';
import type { Redis } from '@upstash/redis';
import type { KeyRecord } from '@/lib/keys/record';
import type { Micros } from '@/lib/money';
import { creditBalanceKey } from '@/lib/billing/credit';
import { getRedis } from '@/lib/redis/client';
import { accountTag } from '@/lib/redis/key-slot';
import { luaScript } from '@/lib/redis/raw';
import { unavailableDependency } from '@/lib/unavailable';
import { runScriptLater, runScriptSoon, runTogether, type SoonPart } from '@/lib/redis/soon';
import { holdLease, indexReservations, releaseLease, RESERVATION_LEASE_MS, reservationsKey } from './leases';
import { ADMIT, SETTLE, UNCOUNT } from './lua';
import { restoreKeySpend, SPEND_COUNTER_TTL_SECONDS, spendCounterKey, spendMarkerKey } from './spend-counters';
import { RATE_PERIOD_MS, RATE_PERIODS, SPEND_WINDOWS, type RatePeriod, type SpendWindow } from './windows';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'limits' });

/**
 * Admission and settlement of one gateway request against its key's rate and spend limits and
 * its account's credit — each one Redis round trip (lib/limits/lua.ts has the atomic part).
 * Reservations are leases this instance renews while the request runs (leases.ts).
 *
 * Every key the two scripts touch carries the account's hash tag (`{u:<userId>}`): in a Redis
 * Cluster they share one slot, so each script stays one atomic step on one node.
 */

export interface CostBound {
  /** Upper bound of the prompt's cost, micro-dollars. */
  promptCost: Micros;
  /** Micro-dollars per 1M output tokens. */
  outputPrice: Micros;
  /** The client's max_tokens, if given. */
  requestedOutputTokens: number | null;
  /** The model's own maximum output. */
  modelMaxOutputTokens: number;
}

export interface RateWindowState {
  period: RatePeriod;
  limit: number;
  used: number;
  resetMs: number;
}

export type Admission =
  | { outcome: 'admitted'; reservation: Reservation; outputTokens: number; rate: RateWindowState[] }
  | { outcome: 'rate_limited'; period: RatePeriod; limit: number; resetMs: number }
  | { outcome: 'spend_limited'; window: SpendWindow }
  | { outcome: 'insufficient_credit' }
  /** The credit balance could not be loaded (what the gateway answers when a reload did not help). */
  | { outcome: 'credit_unknown' };

/**
 * Redis has no credit balance for the account or no spend counter for one of the key's windows
 * (never loaded, a new window, or lost): rebuild them from PostgreSQL, then admit again. Nothing
 * was counted.
 */
export interface StateUnknown {
  outcome: 'state_unknown';
  credit: boolean;
  spend: boolean;
  /** Rebuilds the key's missing spend counters for the windows of this admission (restoreKeySpend). */
  restoreSpend(): Promise<unknown>;
}

/** What settle() needs later; plain data, so it can outlive the request's closures. */
export interface Reservation {
  requestId: string;
  reserved: Micros;
  spendKeys: [string, string, string];
  creditKey: string;
  /** The account's sorted set of reservations (leases.ts). */
  reservationsKey: string;
  userId: string;
  member: string;
}

type AdmitReply = [string, ...number[]];

/**
 * Windows are aligned buckets (floor(now / period)), so they reset at the bucket's end — not a
 * full period after the bucket's first request, which is what the counter's TTL would say.
 */
/** The key's rate counter for the window of `period` that holds `now`. */
export const rateCounterKey = (key: Pick<KeyRecord, 'id' | 'userId'>, period: RatePeriod, now: number) =>
  `conduit:rl:${accountTag(key.userId)}:${key.id}:${period}:${Math.floor(now / RATE_PERIOD_MS[period])}`;

export const untilNextWindow = (period: RatePeriod, now: number) => (Math.floor(now / RATE_PERIOD_MS[period]) + 1) * RATE_PERIOD_MS[period] - now;

const ADMIT_SCRIPT = luaScript(ADMIT);
const SETTLE_SCRIPT = luaScript(SETTLE);
const UNCOUNT_SCRIPT = luaScript(UNCOUNT);

export async function admit(
  key: KeyRecord,
  requestId: string,
  cost: CostBound,
  now = Date.now(),
  redis: Redis = getRedis(),
): Promise<Admission | StateUnknown> {
  const at = new Date(now);
  const rateKeys = RATE_PERIODS.map((period) => rateCounterKey(key, period, now));
  const spendKeys = SPEND_WINDOWS.map((window) => spendCounterKey(key, window, at)) as [string, string, string];
  const credit = creditBalanceKey(key.userId);
  const reservations = reservationsKey(key.userId);
  const rateLimits = RATE_PERIODS.map((period) => key.rateLimits[period] ?? 0);
  const spendLimits = SPEND_WINDOWS.map((window) => key.spendLimits[window] ?? -1);
  const deadline = now + RESERVATION_LEASE_MS;
  // The sweeper finds a reservation through the account's index entry (leases.ts), which lives in
  // another slot than the script's keys: written in the same pipeline, just before the script.
  const indexed = indexReservations(key.userId, deadline, redis).then(
    () => undefined,
    (error: unknown) => error,
  );
  const admitted = runScriptSoon(
    redis,
    ADMIT_SCRIPT,
    [...rateKeys, ...spendKeys, credit, reservations, spendMarkerKey(key)],
    [
      ...rateLimits,
      ...RATE_PERIODS.map((period) => RATE_PERIOD_MS[period]),
      ...spendLimits,
      SPEND_COUNTER_TTL_SECONDS,
      cost.promptCost,
      cost.outputPrice,
      cost.requestedOutputTokens ?? 0,
      cost.modelMaxOutputTokens,
      requestId,
      deadline,
    ],
  ) as Promise<AdmitReply>;
  let reply: AdmitReply;
  try {
    reply = await admitted;
  } catch (error) {
    // No answer (a timeout, a dropped connection) is not no admission: the script may have run and
    // reserved. If the index write failed too, nothing would lead the sweeper to that reservation
    // and nobody renews it: write the entry again (idempotent, never raised) before the 503. An
    // entry for an account without reservations costs the sweeper one look.
    if ((await indexed) !== undefined && unavailableDependency(error) === 'redis') {
      await indexReservations(key.userId, deadline, redis).catch((again: unknown) =>
        log.error({ err: again, requestId }, 'indexing a reservation whose admission went unanswered failed'),
      );
    }
    throw error;
  }
  const indexFailure = await indexed;

  switch (reply[0]) {
    case 'rate': {
      const period = RATE_PERIODS[Number(reply[1]) - 1]!;
      return { outcome: 'rate_limited', period, limit: rateLimits[Number(reply[1]) - 1]!, resetMs: untilNextWindow(period, now) };
    }
    case 'unknown':
      return { outcome: 'state_unknown', credit: Number(reply[1]) === 1, spend: Number(reply[2]) === 1, restoreSpend: () => restoreKeySpend(key, at, redis) };
    case 'budget':
      return Number(reply[1]) === 0 ? { outcome: 'insufficient_credit' } : { outcome: 'spend_limited', window: SPEND_WINDOWS[Number(reply[1]) - 1]! };
  }
  const [, outputTokens, reserved, ...used] = reply.map(Number) as number[];
  // Built exactly as the script built it (it carries the amount, so the sweeper can release
  // a reservation without any other state).
  const member = [requestId, reserved, credit, ...spendKeys].join('|');
  const reservation: Reservation = { requestId, reserved: reserved!, spendKeys, creditKey: credit, reservationsKey: reservations, userId: key.userId, member };
  // A free request reserves nothing: there is nothing for the index to find.
  if (indexFailure !== undefined && reserved! > 0) {
    // A reservation the sweeper could not find would outlive this instance if it died: undo it
    // (releasing nothing twice: SETTLE's ZREM) and answer as Redis being unavailable — taking back
    // the rate windows' counts too, so a 503 spends none of the key's rate limit.
    const counted = rateKeys.filter((_, i) => rateLimits[i]! > 0);
    void Promise.all([settle(reservation, 0, undefined, redis), counted.length > 0 ? runScriptLater(redis, UNCOUNT_SCRIPT, counted, []) : undefined]).catch(
      (error: unknown) => log.error({ err: error, requestId }, 'undoing an unindexed reservation failed'),
    );
    throw indexFailure;
  }
  if (reserved! > 0) holdLease(member, key.userId, now);
  return {
    outcome: 'admitted',
    outputTokens: outputTokens!,
    reservation,
    rate: RATE_PERIODS.flatMap((period, i) =>
      rateLimits[i]! > 0 ? [{ period, limit: rateLimits[i]!, used: used[i]!, resetMs: untilNextWindow(period, now) }] : [],
    ),
  };
}

/** A usage record to queue with the settlement: the queue's key and the record's JSON. */
export interface QueuedRecord {
  queueKey: string;
  json: string;
}

/**
 * Replaces the reservation by the real cost (capped at what was reserved: the reservation is the
 * price the client was promised would never be exceeded) and, if given, queues the request's
 * usage record — two Redis commands (the queue has its own hash slot), the record first, in one
 * pipeline riding along with the next one that leaves within a few milliseconds
 * (lib/redis/soon.ts). On one Redis they run in that order on one connection; in a cluster on two
 * nodes (see the README, "Redis Cluster"). Returns the cost charged.
 */
export async function settle(
  reservation: Reservation,
  cost: Micros,
  record?: QueuedRecord,
  redis: Redis = getRedis(),
  { awaited = false }: { awaited?: boolean } = {},
): Promise<Micros> {
  const charged = Math.min(Math.max(0, cost), reservation.reserved);
  releaseLease(reservation.member);
  const keys = [...reservation.spendKeys, reservation.creditKey, reservation.reservationsKey];
  const args: (string | number)[] = [reservation.reserved, charged, reservation.member];
  // Awaited by an answer that waits for it: sent at the end of this turn, not up to 5 ms later. The
  // record and its settlement leave in the same pipeline, the record first.
  const settlement = { script: SETTLE_SCRIPT, keys, args };
  const parts: SoonPart[] = record ? [{ command: ['lpush', record.queueKey, record.json] }, settlement] : [settlement];
  await Promise.all(runTogether(redis, parts, { later: !awaited }));
  return charged;
}
