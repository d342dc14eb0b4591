import 'server-only';
import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import client from 'prom-client';
import { env } from '@/lib/env';
import { usageQueueDepths } from '@/lib/health/readiness';
import { bearerMatches } from '@/lib/security/bearer';
import { HOT_PATH_SECURITY_HEADERS } from '@/lib/security/headers';
import { metrics, registerScrapeGauge } from './metrics';

/**
 * GET /metrics: Prometheus text, for a scraper holding METRICS_TOKEN (`Authorization: Bearer …`,
 * Prometheus's `authorization` / `bearer_token` setting). Without METRICS_TOKEN there are no
 * metrics to read (404). Served by the production server before Next (hot-path.ts); under
 * several workers the primary gathers all of theirs (lib/server/primary.mjs), so one scrape sees
 * the whole server whichever worker answers it.
 */

/** Matches lib/server/primary.mjs. */
const METRICS_REQUEST = 'conduit:metrics-request';
const METRICS_ANSWER = 'conduit:metrics-answer';
/** Longer than prom-client's own 5 s for a worker's answer, so the primary's error is the one seen. */
const CLUSTER_TIMEOUT_MS = 8_000;

export function isMetricsRequest(req: IncomingMessage, linkHost: boolean): boolean {
  if (linkHost) return false;
  const url = req.url ?? '';
  return url === '/metrics' || url.startsWith('/metrics?');
}

let prepared = false;
/**
 * At server start, in every worker: the metrics exist before the first request (a worker that had
 * served none would otherwise not answer its primary's call for metrics, and every scrape would
 * wait for it in vain), and the usage queue's gauges are read from Redis when scraped.
 */
export function prepareMetrics(): void {
  if (prepared) return;
  prepared = true;
  metrics();
  registerScrapeGauge('conduit_usage_queue_backlog', 'Usage records in Redis waiting for the drain.', async () => (await usageQueueDepths()).backlog);
  registerScrapeGauge('conduit_usage_dead_letters', 'Usage records the drain set aside (npm run usage:dead -- list).', async () => (await usageQueueDepths()).deadLetters);
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...HOT_PATH_SECURITY_HEADERS, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { message, type: code === 'metrics_disabled' ? 'not_found_error' : 'authentication_error', param: null, code } });
}

export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = env().METRICS_TOKEN;
  const json = { 'content-type': 'application/json' };
  if (!token) return answer(res, 404, errorBody('metrics_disabled', 'Metrics are off: set METRICS_TOKEN to serve them.'), json);
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, '', { allow: 'GET, HEAD' });
  if (!bearerMatches(req.headers.authorization, token)) {
    return answer(res, 401, errorBody('invalid_metrics_token', 'Send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`.'), { ...json, 'www-authenticate': 'Bearer' });
  }
  try {
    const text = cluster.isWorker ? await fromPrimary() : await client.register.metrics();
    answer(res, 200, req.method === 'HEAD' ? '' : text, { 'content-type': client.register.contentType });
  } catch {
    answer(res, 503, JSON.stringify({ error: { message: 'The metrics could not be gathered; try again.', type: 'api_error', param: null, code: 'service_unavailable' } }), json);
  }
}

/** Every worker's metrics, merged by the primary (prom-client's AggregatorRegistry). */
function fromPrimary(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('no answer from the primary')), CLUSTER_TIMEOUT_MS);
    const onMessage = (message: { type?: string; id?: string; text?: string; error?: string }) => {
      if (message?.type !== METRICS_ANSWER || message.id !== id) return;
      finish(message.error !== undefined ? new Error(message.error) : undefined, message.text);
    };
    function finish(error?: Error, text?: string) {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (error || text === undefined) reject(error ?? new Error('empty answer'));
      else resolve(text);
    }
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}
