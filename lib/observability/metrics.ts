import 'server-only';
import cluster from 'node:cluster';
import client, { type Counter, type Gauge, type Histogram } from 'prom-client';

/**
 * Conduit's Prometheus metrics (prom-client's default registry, served at /metrics by
 * metrics-endpoint.ts). Next's server bundle and the hot path's each load this module, but
 * prom-client itself is loaded once per process (an external package in both bundles), so a
 * metric is created by whichever copy asks first and found by name by the other.
 *
 * Labels are small closed sets — surface, status, error code, reason, dependency — never a key,
 * link, user or path: a label per customer would grow the registry without bound.
 */

export type Surface = 'v1' | 'link' | 'management' | 'dashboard' | 'api' | 'static';

function existing<T>(name: string): T | undefined {
  return client.register.getSingleMetric(name) as T | undefined;
}

const counter = <L extends string>(config: client.CounterConfiguration<L>) => existing<Counter<L>>(config.name) ?? new client.Counter(config);
const histogram = <L extends string>(config: client.HistogramConfiguration<L>) => existing<Histogram<L>>(config.name) ?? new client.Histogram(config);
const gauge = <L extends string>(config: client.GaugeConfiguration<L>) => existing<Gauge<L>>(config.name) ?? new client.Gauge(config);

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

interface Metrics {
  requests: Counter<'surface' | 'status' | 'code'>;
  duration: Histogram<'surface'>;
  upstream: Histogram<'upstream' | 'outcome'>;
  refusals: Counter<'surface' | 'reason'>;
  failedAttempts: Counter<'provider' | 'code' | 'next'>;
  dependencyErrors: Counter<'dependency'>;
  drained: Counter<'outcome'>;
  drainLag: Gauge;
}

const METRICS = Symbol.for('conduit.metrics');
const registry = globalThis as typeof globalThis & { [METRICS]?: Metrics };

function create(): Metrics {
  // Process CPU and memory, and the event loop's lag (nodejs_eventloop_lag_*), once per process.
  if (!existing('process_cpu_seconds_total')) client.collectDefaultMetrics();
  // A worker of a multi-process server answers its primary's requests for its metrics (the
  // constructor installs that listener; lib/server/primary.mjs merges them).
  if (cluster.isWorker) new client.AggregatorRegistry();
  return {
    requests: counter({
      name: 'conduit_http_requests_total',
      help: 'Requests answered, by surface (v1, link, management, dashboard, api, static), HTTP status and Conduit error code ("" when none).',
      labelNames: ['surface', 'status', 'code'],
    }),
    duration: histogram({
      name: 'conduit_http_request_duration_seconds',
      help: 'From the request head to the last byte of the answer, by surface.',
      labelNames: ['surface'],
      buckets: SECONDS,
    }),
    upstream: histogram({
      name: 'conduit_upstream_duration_seconds',
      help: "From the request sent upstream to the upstream's response headers, by upstream (openai, anthropic, link, webhook) and outcome (answered, timeout, unreachable).",
      labelNames: ['upstream', 'outcome'],
      buckets: SECONDS,
    }),
    refusals: counter({
      name: 'conduit_admission_refusals_total',
      help: 'Requests refused before reaching an upstream, by surface and reason (rate limit window, spend window, credit, key, ip, model, path, origin, end-user token…).',
      labelNames: ['surface', 'reason'],
    }),
    failedAttempts: counter({
      name: 'conduit_gateway_failed_attempts_total',
      help: 'Upstream attempts of /v1 requests that failed before answering, by provider, Conduit code (upstream_error, upstream_rate_limited, upstream_timeout…) and what came next (retry, fallback, none: the client got the failure).',
      labelNames: ['provider', 'code', 'next'],
    }),
    dependencyErrors: counter({
      name: 'conduit_dependency_errors_total',
      help: 'Requests or background passes that failed because Redis or PostgreSQL did not answer.',
      labelNames: ['dependency'],
    }),
    drained: counter({
      name: 'conduit_usage_drained_records_total',
      help: 'Usage records moved from the Redis queue into PostgreSQL (stored) or set aside (dead_lettered).',
      labelNames: ['outcome'],
    }),
    drainLag: gauge({
      name: 'conduit_usage_drain_lag_seconds',
      help: "Age of the oldest record in the drain's last pass when it reached PostgreSQL.",
      aggregator: 'max',
    }),
  };
}

export function metrics(): Metrics {
  return (registry[METRICS] ??= create());
}

/**
 * Gauges read from Redis at scrape time (queue backlog, dead letters): registered by the code
 * that can read them, once, with the function that reads them.
 */
export function registerScrapeGauge(name: string, help: string, read: () => Promise<number>): void {
  if (existing(name)) return;
  new client.Gauge({
    name,
    help,
    // Every worker reads the same Redis list: the cluster's figure is any one of them, not their sum.
    aggregator: 'max',
    async collect() {
      this.set(await read().catch(() => Number.NaN));
    },
  });
}
