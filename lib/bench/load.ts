import autocannon from 'autocannon';

/**
 * One load run with autocannon: a fixed number of keep-alive connections, each sending the next
 * request as soon as the previous answer is complete (for a stream: its last byte).
 */

export interface Target {
  name: string;
  /** Base URL; requests go to `${url}/v1/chat/completions`. */
  url: string;
  apiKey: string;
  /** Headers a peer gateway needs besides the key (Portkey's provider and upstream). */
  headers?: Record<string, string>;
  /** The modes it takes part in (default: every mode of the run). */
  modes?: readonly Mode[];
}

/** The headers of a request to `target`. */
export const requestHeaders = (target: Target): Record<string, string> => ({ 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}`, ...target.headers });

export type Mode = 'json' | 'stream';

export interface LoadResult {
  /** Completed requests per second of load. */
  rps: number;
  p50: number;
  p99: number;
  /** Requests sent and responses completed (the difference was in flight when the run stopped). */
  sent: number;
  completed: number;
  /** Anything but a complete 2xx answer: non-2xx, socket errors, timeouts, truncated bodies. */
  failures: number;
  firstFailure?: string;
  /** Seconds of load, and every 2xx answer's latency in ms (sorted): what merging rounds needs. */
  seconds: number;
  latencies: number[];
}

export const PATH = '/v1/chat/completions';

/** A small chat request; the mock's answer echoes the prompt, cut to max_tokens words. */
export function requestBody(mode: Mode): string {
  const prompt = 'Summarise the benefits of metered API keys for a small team in two short sentences please';
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], max_tokens: 16, ...(mode === 'stream' ? { stream: true } : {}) });
}

/** A complete answer: a chat completion, or a stream that got to its end marker. */
const complete = (mode: Mode) => (body: string) => (mode === 'stream' ? body.includes('data: [DONE]') : body.includes('"chat.completion"'));

export function runLoad(target: Target, mode: Mode, connections: number, seconds: number): Promise<LoadResult> {
  // Our own copy of each latency: autocannon's histogram keeps whole milliseconds only, too
  // coarse to compare p50s of a few ms within 25%.
  const latencies: number[] = [];
  let firstFailure: string | undefined;
  let badAnswers = 0;
  const isComplete = complete(mode);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            // autocannon replaces the URL's path with this one: keep the target's own prefix (/proxy/{id}).
            path: `${new URL(target.url).pathname.replace(/\/$/, '')}${PATH}`,
            headers: requestHeaders(target),
            body: requestBody(mode),
            onResponse: (status, body) => {
              const ok = status >= 200 && status < 300 && isComplete(body);
              if (ok) return;
              badAnswers++;
              firstFailure ??= `HTTP ${status}: ${body.slice(0, 500)}`;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        resolve({
          rps: result.requests.total / seconds,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          sent: result.requests.sent,
          completed: result.requests.total,
          failures: badAnswers + result.errors + result.timeouts,
          firstFailure: firstFailure ?? (result.errors + result.timeouts > 0 ? `${result.errors} socket errors, ${result.timeouts} timeouts` : undefined),
          seconds,
          latencies,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/** Several runs of one target as if they were one: rates over the total time, percentiles over every answer. */
export function mergeLoads(runs: LoadResult[]): LoadResult {
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const sum = (field: 'sent' | 'completed' | 'failures') => runs.reduce((total, run) => total + run[field], 0);
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  return {
    rps: seconds > 0 ? sum('completed') / seconds : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    sent: sum('sent'),
    completed: sum('completed'),
    failures: sum('failures'),
    firstFailure: runs.find((run) => run.firstFailure)?.firstFailure,
    seconds,
    latencies,
  };
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
