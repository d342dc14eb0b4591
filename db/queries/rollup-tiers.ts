import 'server-only';
import { sql } from 'drizzle-orm';
import { HISTOGRAM_COLUMNS } from '@/lib/usage/rollups/histogram';
import type { Database } from '../open';

/**
 * Refills the coarser rollup tables — usage_daily, usage_hourly_totals, usage_daily_end_users —
 * from the hourly ones, as migrations 0013 and 0014 first filled them. For an operator whose
 * instances drained records with a version that did not know those tables (during a rolling
 * upgrade, say): `npm run usage:refill-tiers`. Exact: the hourly tables are locked against writes
 * (SHARE) for the transaction, so a drain waits and then adds its batch to every table.
 */
const MEASURES = ['requests', 'cost_micros', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'request_bytes', 'response_bytes', 'latency_ms_sum', ...HISTOGRAM_COLUMNS];
const list = MEASURES.join(', ');
const sums = MEASURES.map((c) => `sum(${c})`).join(', ');
const utcDay = `date_trunc('day', hour at time zone 'UTC') at time zone 'UTC'`;

const STATEMENTS = [
  'lock table usage_hourly, usage_hourly_end_users in share mode',
  'delete from usage_daily',
  'delete from usage_hourly_totals',
  'delete from usage_daily_end_users',
  `insert into usage_daily (user_id, day, key_id, link_id, model, status_class, ${list})
   select user_id, ${utcDay}, key_id, link_id, model, status_class, ${sums} from usage_hourly group by 1, 2, 3, 4, 5, 6`,
  // Records that named an end user from the end-user rows, the others as the hourly sums less those.
  `insert into usage_hourly_totals (user_id, hour, status_class, end_user_named, ${list})
   select user_id, hour, status_class, true, ${sums} from usage_hourly_end_users group by 1, 2, 3`,
  `insert into usage_hourly_totals (user_id, hour, status_class, end_user_named, ${list})
   select user_id, hour, status_class, false, ${sums} from usage_hourly group by 1, 2, 3`,
  `update usage_hourly_totals t set ${MEASURES.map((c) => `${c} = t.${c} - n.${c}`).join(', ')} from usage_hourly_totals n
   where not t.end_user_named and n.end_user_named and n.user_id = t.user_id and n.hour = t.hour and n.status_class = t.status_class`,
  'delete from usage_hourly_totals where requests = 0',
  `insert into usage_daily_end_users (user_id, day, end_user, status_class, requests, cost_micros, input_tokens, output_tokens)
   select user_id, ${utcDay}, end_user, status_class, sum(requests), sum(cost_micros), sum(input_tokens), sum(output_tokens)
   from usage_hourly_end_users group by 1, 2, 3, 4`,
];

export async function refillRollupTiers(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    for (const statement of STATEMENTS) await tx.execute(sql.raw(statement));
  });
}
