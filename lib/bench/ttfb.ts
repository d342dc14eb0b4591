import { PATH, percentile, requestBody, requestHeaders, type Target } from './load';

/**
 * Time to first byte of streamed answers, one request at a time (no queueing behind other
 * requests, so the numbers are the path's own latency). The first body chunk is the first SSE
 * event: a gateway that buffered the stream would only deliver it together with the last one.
 */

export interface StreamTimings {
  /** Time to the first body chunk, ms. */
  ttfbP50: number;
  ttfbP99: number;
  /** Time to the end of the stream, ms. */
  totalP50: number;
  /** Median number of separate reads the body arrived in. */
  readsP50: number;
  failures: number;
  firstFailure?: string;
}

export async function sampleStreams(target: Target, samples: number): Promise<StreamTimings> {
  const firstBytes: number[] = [];
  const totals: number[] = [];
  const reads: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const body = requestBody('stream');
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const response = await fetch(`${target.url}${PATH}`, {
      method: 'POST',
      headers: requestHeaders(target),
      body,
    });
    if (!response.ok || !response.body) {
      failures++;
      firstFailure ??= `HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`;
      continue;
    }
    const reader = response.body.getReader();
    let count = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      if (count++ === 0) firstBytes.push(performance.now() - started);
      text += decoder.decode(next.value, { stream: true });
    }
    totals.push(performance.now() - started);
    reads.push(count);
    if (!text.includes('data: [DONE]')) {
      failures++;
      firstFailure ??= `incomplete stream: ${text.slice(0, 500)}`;
    }
  }
  for (const list of [firstBytes, totals, reads]) list.sort((a, b) => a - b);
  return {
    ttfbP50: percentile(firstBytes, 0.5),
    ttfbP99: percentile(firstBytes, 0.99),
    totalP50: percentile(totals, 0.5),
    readsP50: percentile(reads, 0.5),
    failures,
    firstFailure,
  };
}
