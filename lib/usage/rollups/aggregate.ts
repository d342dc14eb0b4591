import { emptyHistogram, latencyBucket } from './histogram';

/**
 * Folds usage rows into hourly rollup rows (pure). Used by the drain for the rows it really
 * inserted, so a redelivered record — which inserts nothing — adds nothing either.
 */

export interface RollupSource {
  userId: string | null;
  keyId: string | null;
  linkId: string | null;
  model: string | null;
  endUser: string | null;
  status: number;
  costMicros: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  requestBytes: number;
  responseBytes: number;
  latencyMs: number;
  createdAt: Date;
}

export interface RollupRow {
  userId: string;
  hour: Date;
  keyId: string;
  linkId: string;
  model: string;
  statusClass: number;
  endUser: string;
  requests: number;
  costMicros: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  requestBytes: number;
  responseBytes: number;
  latencyMsSum: number;
  latencyHist: number[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const statusClass = (status: number) => Math.min(5, Math.max(2, Math.floor(status / 100)));

export interface Rollups {
  main: RollupRow[];
  endUsers: RollupRow[];
  /** Per UTC day (`hour` holds the day's first instant): the daily tier, usage_daily. */
  daily: RollupRow[];
  /** Per hour and status class only, records naming an end user apart: usage_hourly_totals. */
  totals: (RollupRow & { endUserNamed: boolean })[];
  /** Requests, spend and tokens per UTC day, end user and status class: usage_daily_end_users. */
  dailyEndUsers: DailyEndUserRow[];
}

export interface DailyEndUserRow {
  userId: string;
  day: Date;
  endUser: string;
  statusClass: number;
  requests: number;
  costMicros: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Every tier's rows: per (account, hour, key, link, model, status class), the same per end user for
 * rows that name one, the first per UTC day, per (account, hour, status class, named an end user or
 * not), and per (account, UTC day, end user, status class). Each sorted by its primary key, so concurrent drains
 * lock rollup rows in one order and cannot deadlock, and no key appears twice (ON CONFLICT DO
 * UPDATE refuses that).
 */
export function aggregateRollups(rows: readonly RollupSource[]): Rollups {
  const main = new Map<string, RollupRow>();
  const endUsers = new Map<string, RollupRow>();
  const daily = new Map<string, RollupRow>();
  const totals = new Map<string, RollupRow & { endUserNamed?: boolean }>();
  const dailyEndUsers = new Map<string, DailyEndUserRow>();
  for (const row of rows) {
    if (row.userId === null) continue;
    const at = row.createdAt.getTime();
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const day = Math.floor(at / DAY_MS) * DAY_MS;
    const status = statusClass(row.status);
    // The primary key's columns in order, as one string (its sort order is the locking order).
    const rest = `${row.keyId ?? ''}\u0000${row.linkId ?? ''}\u0000${row.model ?? ''}\u0000${status}`;
    const key = `${row.userId}\u0000${hour}\u0000${rest}`;
    add(main, key, row, { userId: row.userId, hour, status, endUser: '' });
    add(daily, `${row.userId}\u0000${day}\u0000${rest}`, row, { userId: row.userId, hour: day, status, endUser: '' });
    const named = Boolean(row.endUser);
    // false sorts before true in PostgreSQL: '0' before '1' keeps the locking order the key's.
    Object.assign(add(totals, `${row.userId}\u0000${hour}\u0000${status}\u0000${named ? 1 : 0}`, row, { userId: row.userId, hour, status, endUser: '' }), { endUserNamed: named });
    if (row.endUser) {
      add(endUsers, `${key}\u0000${row.endUser}`, row, { userId: row.userId, hour, status, endUser: row.endUser });
      const dayKey = `${row.userId}\u0000${day}\u0000${row.endUser}\u0000${status}`;
      const perDay = dailyEndUsers.get(dayKey) ?? { userId: row.userId, day: new Date(day), endUser: row.endUser, statusClass: status, requests: 0, costMicros: 0, inputTokens: 0, outputTokens: 0 };
      perDay.requests += 1;
      perDay.costMicros += row.costMicros;
      perDay.inputTokens += row.inputTokens;
      perDay.outputTokens += row.outputTokens;
      dailyEndUsers.set(dayKey, perDay);
    }
  }
  return {
    main: sortByKey(main),
    endUsers: sortByKey(endUsers),
    daily: sortByKey(daily),
    totals: sortByKey(totals) as (RollupRow & { endUserNamed: boolean })[],
    dailyEndUsers: sortByKey(dailyEndUsers),
  };
}

/** Adds `row` to its group; the group's dimensions are only built the first time it is seen. */
function add(into: Map<string, RollupRow>, key: string, row: RollupSource, group: { userId: string; hour: number; status: number; endUser: string }): RollupRow {
  let target = into.get(key);
  if (!target) {
    target = {
      userId: group.userId,
      hour: new Date(group.hour),
      keyId: row.keyId ?? '',
      linkId: row.linkId ?? '',
      model: row.model ?? '',
      statusClass: group.status,
      endUser: group.endUser,
      requests: 0,
      costMicros: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      requestBytes: 0,
      responseBytes: 0,
      latencyMsSum: 0,
      latencyHist: emptyHistogram(),
    };
    into.set(key, target);
  }
  target.requests += 1;
  target.costMicros += row.costMicros;
  target.inputTokens += row.inputTokens;
  target.cachedInputTokens += row.cachedInputTokens;
  target.outputTokens += row.outputTokens;
  target.requestBytes += row.requestBytes;
  target.responseBytes += row.responseBytes;
  target.latencyMsSum += row.latencyMs;
  target.latencyHist[latencyBucket(row.latencyMs)]! += 1;
  return target;
}

function sortByKey<T>(rows: Map<string, T>): T[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
