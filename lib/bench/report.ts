import type { LoadResult, Mode } from './load';
import type { StreamTimings } from './ttfb';

/** The Markdown the benchmark prints (the README's numbers are copied from it by hand). */

export interface Row {
  target: string;
  mode: Mode;
  load: LoadResult;
  /** Streams only: the sequential time-to-first-byte sampler. */
  stream?: StreamTimings;
  /** CPU time of the process serving the target, per completed request (Linux only). */
  cpuUs?: number;
  /** CPU of Redis and PostgreSQL per completed request (meaningful on an otherwise idle machine). */
  servicesUs?: number;
  /** JSON only: one connection, one request at a time — latency without queueing. */
  single?: LoadResult;
}

/** Names of the targets, as they appear in the table. */
export const UPSTREAM = 'mock upstream (direct)';
export const BARE = 'bare Node forwarder';
/** The same forwarder with undici's request() as its HTTP client, as Conduit's (not the baseline). */
export const BARE_REQUEST = 'bare Node forwarder (undici request)';
export const CONDUIT = 'Conduit /v1 (all checks)';
/** The undici forwarder plus only the Redis round trips of exact limits (lib/bench/guarded-forwarder.ts): a floor, not Conduit. */
export const FLOOR = 'floor: undici forwarder + Redis limits only';
/** The same floor with its Redis work done by Conduit's own admit()/settle() and Redis client (BENCH_FLOOR=layers). */
export const FLOOR_CONDUIT = "floor, through Conduit's admission and Redis client";
export const LINK = 'Conduit Link /proxy (all checks)';
/** Portkey's open-source gateway (lib/bench/portkey.ts): a peer, not a baseline. */
export const PORTKEY = "Portkey's open-source gateway (no auth, no limits)";
/**
 * The targets held to the bar below: every Conduit target (a BENCH_VARIANT one too), not the baselines or peers —
 * and the floor, to show what any gateway keeping its limits in Redis per request could reach.
 */
const heldToTheBar = (rows: Row[]) => [...new Set(rows.map((row) => row.target))].filter((target) => target !== UPSTREAM && target !== BARE && target !== BARE_REQUEST && target !== PORTKEY);

/**
 * Issue #18's bar, against the forwarder with Conduit's own HTTP client (undici request()): /v1 at
 * least half its throughput (links 0.6), p50 within 1.5×, CPU per request (server + Redis + PG)
 * within 2.5×, at most 0.3 ms added per request on one connection; and /v1 5× Portkey's throughput.
 */
const LEAN = { throughput: 0.5, linkThroughput: 0.6, p50: 1.5, cpu: 2.5, addedMs: 0.3, portkey: 5 };

/** The bar the gateway is held to, relative to the bare forwarder. */
const MIN_THROUGHPUT_RATIO = 0.75;
const MAX_LATENCY_RATIO = 1.25;

const ms = (value: number) => value.toFixed(2);
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : '–');
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;

export function renderReport(rows: Row[], setup: string): string {
  const find = (target: string, mode: Mode) => rows.find((row) => row.target === target && row.mode === mode);
  const lines = [
    setup,
    '',
    '| target | mode | req/s | p50 ms | p99 ms | TTFB p50 / p99 ms | CPU µs/req: server / Redis+PG | throughput vs bare | p50 / p99 vs bare |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const bare = find(BARE, row.mode)!.load;
    const { load, stream } = row;
    const ttfb = stream ? `${ms(stream.ttfbP50)} / ${ms(stream.ttfbP99)}` : '–';
    lines.push(
      `| ${row.target} | ${row.mode} | ${Math.round(load.rps)} | ${ms(load.p50)} | ${ms(load.p99)} | ${ttfb} | ${row.cpuUs === undefined ? '–' : Math.round(row.cpuUs)} / ${row.servicesUs === undefined ? '–' : Math.round(row.servicesUs)} | ` +
        `${ratio(load.rps, bare.rps)} | ${ratio(load.p50, bare.p50)} / ${ratio(load.p99, bare.p99)} |`,
    );
  }

  lines.push('', 'Added latency vs the upstream (ms, under the same load):', '', '| target | mode | p50 | p99 | TTFB p50 | TTFB p99 |', '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const row of rows.filter((r) => r.target !== UPSTREAM)) {
    const upstream = find(UPSTREAM, row.mode)!;
    const ttfb = row.stream && upstream.stream;
    lines.push(
      `| ${row.target} | ${row.mode} | ${signed(row.load.p50 - upstream.load.p50)} | ${signed(row.load.p99 - upstream.load.p99)} | ` +
        `${ttfb ? signed(row.stream!.ttfbP50 - upstream.stream!.ttfbP50) : '–'} | ${ttfb ? signed(row.stream!.ttfbP99 - upstream.stream!.ttfbP99) : '–'} |`,
    );
  }

  const bar = (baseline: string, heading: string) => {
    lines.push('', heading, '');
    for (const target of heldToTheBar(rows)) {
      for (const mode of ['json', 'stream'] as const) {
        const measured = find(target, mode)?.load;
        const base = find(baseline, mode)?.load;
        if (!measured || !base) continue;
        const checks = [
          verdict('req/s', measured.rps / base.rps >= MIN_THROUGHPUT_RATIO, ratio(measured.rps, base.rps)),
          verdict('p50', measured.p50 / base.p50 <= MAX_LATENCY_RATIO, ratio(measured.p50, base.p50)),
          verdict('p99', measured.p99 / base.p99 <= MAX_LATENCY_RATIO, ratio(measured.p99, base.p99)),
        ];
        lines.push(`- ${target}, ${mode}: ${checks.join(', ')}`);
      }
    }
  };
  bar(BARE, `Targets vs the bare forwarder (fetch, the issue's baseline): ≥ ${MIN_THROUGHPUT_RATIO * 100}% of its req/s, p50 and p99 within ${MAX_LATENCY_RATIO}×.`);
  if (rows.some((row) => row.target === BARE_REQUEST)) {
    bar(BARE_REQUEST, `The same bar vs the bare forwarder with Conduit's own HTTP client (undici request): what the checks cost apart from the client.`);
  }
  lines.push(...renderLeanBar(rows));
  return lines.join('\n');
}

const cpuOf = (row: Row) => (row.cpuUs === undefined || row.servicesUs === undefined ? undefined : row.cpuUs + row.servicesUs);
const msPerRequest = (load: LoadResult) => (load.rps > 0 ? 1000 / load.rps : Infinity);

function renderLeanBar(rows: Row[]): string[] {
  const find = (target: string, mode: Mode) => rows.find((row) => row.target === target && row.mode === mode);
  const lines: string[] = [];
  const singles = rows.filter((row) => row.single);
  const base = find(BARE_REQUEST, 'json')?.single;
  if (singles.length > 0) {
    lines.push('', 'One connection, one request at a time (JSON): latency without queueing.', '', '| target | ms per request | p50 ms | added vs undici forwarder, ms |', '| --- | ---: | ---: | ---: |');
    for (const row of singles) {
      const single = row.single!;
      lines.push(`| ${row.target} | ${msPerRequest(single).toFixed(3)} | ${ms(single.p50)} | ${base ? signed(msPerRequest(single) - msPerRequest(base)) : '–'} |`);
    }
  }
  if (!find(BARE_REQUEST, 'json')) return lines;
  lines.push(
    '',
    `Issue #18's bar vs the undici forwarder: /v1 ≥ ${LEAN.throughput}× its req/s (links ≥ ${LEAN.linkThroughput}×), p50 ≤ ${LEAN.p50}×, CPU per request (server + Redis + PG) ≤ ${LEAN.cpu}×, ≤ +${LEAN.addedMs} ms on one connection; /v1 ≥ ${LEAN.portkey}× Portkey.`,
    '',
  );
  for (const target of heldToTheBar(rows)) {
    for (const mode of ['json', 'stream'] as const) {
      const row = find(target, mode);
      const bare = find(BARE_REQUEST, mode);
      if (!row || !bare) continue;
      const floor = target.startsWith(LINK) ? LEAN.linkThroughput : LEAN.throughput;
      const [cpu, bareCpu] = [cpuOf(row), cpuOf(bare)];
      const checks = [
        verdict('req/s', row.load.rps / bare.load.rps >= floor, ratio(row.load.rps, bare.load.rps)),
        verdict('p50', row.load.p50 / bare.load.p50 <= LEAN.p50, ratio(row.load.p50, bare.load.p50)),
      ];
      if (cpu !== undefined && bareCpu !== undefined) checks.push(verdict('CPU', cpu / bareCpu <= LEAN.cpu, ratio(cpu, bareCpu)));
      if (row.single && bare.single) {
        const added = msPerRequest(row.single) - msPerRequest(bare.single);
        checks.push(verdict('one connection', added <= LEAN.addedMs, `${signed(added)} ms`));
      }
      const portkey = find(PORTKEY, mode);
      if (portkey && !target.startsWith(LINK)) checks.push(verdict('vs Portkey', row.load.rps / portkey.load.rps >= LEAN.portkey, ratio(row.load.rps, portkey.load.rps)));
      lines.push(`- ${target}, ${mode}: ${checks.join(', ')}`);
    }
  }
  return lines;
}

const verdict = (what: string, met: boolean, value: string) => `${what} ${value} ${met ? 'met' : '**missed**'}`;

/** The chunk-by-chunk check: with a pause between upstream events, an unbuffered path delivers the first long before the last. */
export function renderStreamCheck(results: { target: string; timings: StreamTimings }[], delayMs: number, samples: number): string {
  const lines = [
    `Streams unbuffered? Upstream pausing ${delayMs} ms between SSE events, ${samples} sequential streams per target:`,
    '',
    '| target | first byte p50 ms | whole stream p50 ms | reads per stream p50 |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const { target, timings } of results) {
    lines.push(`| ${target} | ${ms(timings.ttfbP50)} | ${ms(timings.totalP50)} | ${timings.readsP50} |`);
  }
  return lines.join('\n');
}
