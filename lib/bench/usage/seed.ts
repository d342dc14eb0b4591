import { sql } from 'drizzle-orm';
import type { Database } from '@/db';
import { refillRollupTiers } from '@/db/queries/rollup-tiers';
import { HISTOGRAM_COLUMNS, LATENCY_BUCKETS_MS } from '@/lib/usage/rollups/histogram';

/**
 * Seeds the usage benchmark in SQL (generate_series: a million rows in seconds, no round trips):
 * one busy account, 20 keys and 4 links, 30 days of traffic busier by day, 8 models, ~4 % errors,
 * long-tailed latencies, 2 000 end users behind the links and some behind keys. Then builds the
 * hourly rollups from the raw rows in one pass, and the daily tier from them — the same aggregates the drain maintains
 * incrementally (lib/usage/rollups/rollups.test.ts checks the drain against exactly this SQL shape).
 */

export const KEYS = 20;
export const LINKS = 4;
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'o3-mini', 'claude-3-5-haiku', 'claude-sonnet-4', 'text-embedding-3-small'];

export async function seedAccount(db: Database, userId: string): Promise<void> {
  await db.execute(sql`insert into users (id, email) values (${userId}, ${`bench-usage-${userId}@example.com`})`);
  // Keys, links and usage belong to an organization (a one-person one, with the user's id, as every sign-up gets).
  await db.execute(sql`insert into organizations (id, name) values (${userId}, 'Bench')`);
  await db.execute(sql`
    insert into api_keys (id, user_id, name, hash, start, spend_limit_day)
    select 'key_bench_' || k, ${userId}, 'Key ' || k, md5('bench' || k), 'condt_bench', 50000000 from generate_series(1, ${KEYS}) k`);
  await db.execute(sql`
    insert into links (id, user_id, name, upstream_base_url, secret_sealed, injection, allowed_paths)
    select 'link_bench_' || l, ${userId}, 'Link ' || l, 'https://api.openai.com', 'sealed', '{"kind":"bearer"}'::jsonb, '[]'::jsonb
    from generate_series(1, ${LINKS}) l`);
}

export async function seedRecords(db: Database, userId: string, count: number, now: Date): Promise<void> {
  const models = `array[${MODELS.map((m) => `'${m}'`).join(',')}]`;
  // r1…r6: independent uniform draws per row; the shape of each column comes from them.
  await db.execute(
    sql.raw(`
    insert into usage_records (request_id, user_id, key_id, link_id, model, provider, operation, status, error_code,
      input_tokens, cached_input_tokens, output_tokens, cost_micros, latency_ms, ttft_ms, end_user, stream,
      request_bytes, response_bytes, created_at)
    select 'req_bench_' || i, '${userId}',
      case when via_link then null else 'key_bench_' || (1 + floor(r2 * r2 * ${KEYS}))::int end,
      case when via_link then 'link_bench_' || (1 + floor(r2 * ${LINKS}))::int end,
      (${models})[1 + floor(r3 * r3 * ${MODELS.length})::int], 'openai', 'chat.completions',
      status, case when status >= 400 then 'upstream_error' end,
      tin, 0, tout, case when status < 400 then (tin * 0.15 + tout * 0.6)::bigint else 0 end,
      (case when status < 400 then 150 + tout * 10 + 8000 * r5 ^ 6 else 5 + 50 * r5 end)::int, null,
      case when via_link then 'enduser-' || floor(r6 * r6 * 2000)::int when r6 < 0.1 then 'app-user-' || floor(r6 * 1000)::int end,
      false, 200 + tin * 4, 300 + tout * 4, at
    from (
      select i, r1 < 0.3 as via_link, r2, r3, r5, r6,
        case when r4 < 0.96 then 200 when r4 < 0.98 then 429 when r4 < 0.99 then 400 else 502 end as status,
        (50 + 3000 * r3 ^ 2)::int as tin, (20 + 1000 * r5 ^ 2)::int as tout,
        -- busier by day: a day-part drawn from a hump, then uniform within the day; to the
        -- millisecond, as the drain writes them (the request log's and the export's cursor is a JS
        -- Date: rows a few microseconds apart at a page's edge would be skipped — data Conduit never has)
        date_trunc('milliseconds', timestamptz '${now.toISOString()}' - (floor(r1 * 1000)::int % 30) * interval '1 day'
          - ((0.5 + 0.5 * cos(pi() * r4)) * 20 + 4 * r6) * interval '1 hour') as at
      from (select i, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6 from generate_series(1, ${count}) i) draws
    ) rows`),
  );
}

/** The hourly rollups of every raw row, as the drain would have left them. */
export async function buildRollups(db: Database): Promise<void> {
  const bounds = `array[${LATENCY_BUCKETS_MS.join(',')}]`;
  const hist = HISTOGRAM_COLUMNS.map((_, b) => `coalesce(sum(n) filter (where b = ${b}), 0)::int`).join(', ');
  const dims = `user_id, date_trunc('hour', created_at) as hour, coalesce(key_id, '') as key_id, coalesce(link_id, '') as link_id,
    coalesce(model, '') as model, least(5, greatest(2, status / 100))::smallint as status_class`;
  const measures = `sum(requests), sum(cost), sum(tin), sum(tcached), sum(tout), sum(rb), sum(sb), sum(lat), ${hist}`;
  const perBucket = (extra: string, where: string) => `
    select ${dims}${extra}, width_bucket(latency_ms, ${bounds}) as b, count(*) as requests, count(*) as n, sum(cost_micros) as cost,
      sum(input_tokens) as tin, sum(cached_input_tokens) as tcached, sum(output_tokens) as tout, sum(request_bytes) as rb,
      sum(response_bytes) as sb, sum(latency_ms) as lat
    from usage_records where user_id is not null ${where}
    group by 1, 2, 3, 4, 5, 6${extra ? ', 7' : ''}, width_bucket(latency_ms, ${bounds})`;
  await db.execute(
    sql.raw(`
    insert into usage_hourly (user_id, hour, key_id, link_id, model, status_class, requests, cost_micros, input_tokens,
      cached_input_tokens, output_tokens, request_bytes, response_bytes, latency_ms_sum, ${HISTOGRAM_COLUMNS.join(', ')})
    select user_id, hour, key_id, link_id, model, status_class, ${measures}
    from (${perBucket('', '')}) x group by 1, 2, 3, 4, 5, 6`),
  );
  await db.execute(
    sql.raw(`
    insert into usage_hourly_end_users (user_id, hour, key_id, link_id, model, status_class, end_user, requests, cost_micros,
      input_tokens, cached_input_tokens, output_tokens, request_bytes, response_bytes, latency_ms_sum, ${HISTOGRAM_COLUMNS.join(', ')})
    select user_id, hour, key_id, link_id, model, status_class, end_user, ${measures}
    from (${perBucket(', end_user', 'and end_user is not null')}) x group by 1, 2, 3, 4, 5, 6, 7`),
  );
  // The coarser tiers from the hourly ones, as the migrations that added them filled them.
  await refillRollupTiers(db);
  await db.execute(sql`analyze`);
}
