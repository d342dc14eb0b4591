// `npm run bench` — the /v1 gateway and a /proxy link (production entry, every check on) against a bare Node
// forwarder and the upstream itself, on loopback, with real PostgreSQL and Redis. One run prints
// the Markdown table the README's numbers come from; exit 1 if any request or usage row is missing.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { appEnvironment, createBenchKey } from './account';
import { idleShare, machineTicks, processTreeCpuMs, servicesCpuMs, stolenShare } from './cpu';
import { startEntry, stopAll, stopChildrenOnExit } from './children';
import { mergeLoads, PATH, requestBody, requestHeaders, runLoad, type LoadResult, type Mode, type Target } from './load';
import { startPortkey } from './portkey';
import { BARE, BARE_REQUEST, CONDUIT, FLOOR, FLOOR_CONDUIT, LINK, PORTKEY, renderReport, renderStreamCheck, UPSTREAM, type Row } from './report';
import { ensureBuild, profiling, startConduit, startConduitFromCheckout, startConduitWithBundle } from './server';
import { checkRedis, DATABASE_NAME, freshDatabase, redact, redisUrl, waitForUsageRows } from './services';
import { sampleStreams, type StreamTimings } from './ttfb';

const CONNECTIONS = 16;
const WARMUP_SECONDS = 3;
/** Before each later round: the connections are new, the process is warm. */
const REWARM_SECONDS = 1;
/** BENCH_SECONDS (per round) and BENCH_ROUNDS shorten a trial run; published numbers use the defaults. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/** BENCH_VARIANT="--v8-flag KEY=value …": see main(). */
const VARIANT = process.env.BENCH_VARIANT
  ? {
      flags: process.env.BENCH_VARIANT.split(' ').filter((word) => word.startsWith('--')),
      env: Object.fromEntries(process.env.BENCH_VARIANT.split(' ').flatMap((word) => (/^[A-Z_]+=/.test(word) ? [word.split(/=(.*)/s).slice(0, 2)] : []))),
    }
  : undefined;
const TTFB_SAMPLES = 200;
/** Per round and target, the one-connection phase (JSON). */
const SINGLE_SECONDS = Number(process.env.BENCH_SINGLE_SECONDS ?? 2);
const CHECK_DELAY_MS = 10;
const CHECK_SAMPLES = 20;
/** BENCH_MODES=json (or stream) for a quicker trial run; published numbers run both. */
const MODES = (process.env.BENCH_MODES ?? 'json,stream').split(',').filter((mode): mode is Mode => mode === 'json' || mode === 'stream');

/** Everything that went wrong, reported together after the table. */
const failures: string[] = [];
const note = (what: string, count: number, first?: string) => {
  if (count > 0) failures.push(`${what}: ${count} failed; first: ${first ?? '(no body)'}`);
};

async function main(): Promise<number> {
  stopChildrenOnExit();
  const before = loadavg()[0]!;
  if (before > cpus().length / 2) console.warn(`[bench] warning: load average ${before.toFixed(2)} on ${cpus().length} cores — other processes compete for the CPU; expect noisy numbers`);
  await checkRedis();
  const databaseUrl = await freshDatabase();
  ensureBuild();

  const upstreamKey = `sk-bench-${randomBytes(8).toString('hex')}`;
  const mock = await startEntry('mock upstream', 'lib/bench/mock-upstream.ts', [upstreamKey]);
  const environment = appEnvironment(databaseUrl, redisUrl, mock.url, upstreamKey);
  // One worker, like the forwarders (one process each): the ratios compare like with like. The
  // every-core row below is `npm start` as deployed.
  const conduit = await startConduit({ ...environment, WEB_CONCURRENCY: '1' });
  const conduitUrl = conduit.url;
  const key = await createBenchKey(environment);
  const bareProfile = process.env.BENCH_CPU_PROF && `${process.env.BENCH_CPU_PROF}/bare`;
  const bare = await startEntry('bare forwarder', 'lib/bench/bare-forwarder.ts', [mock.url, upstreamKey, 'fetch'], profiling(bareProfile));
  const bareRequest = await startEntry('bare forwarder (request)', 'lib/bench/bare-forwarder.ts', [mock.url, upstreamKey, 'request'], profiling(bareProfile && `${bareProfile}-request`));
  const targets: (Target & { pid: number | undefined })[] = [
    { name: UPSTREAM, url: mock.url, apiKey: upstreamKey, pid: mock.child.pid },
    // The forwarder puts the upstream key in itself, like any forwarder holding the secret.
    { name: BARE, url: bare.url, apiKey: 'ignored', pid: bare.child.pid },
    { name: BARE_REQUEST, url: bareRequest.url, apiKey: 'ignored', pid: bareRequest.child.pid },
    { name: CONDUIT, url: conduitUrl, apiKey: key.secret, pid: conduit.pid },
    { name: LINK, url: `${conduitUrl}/proxy/${key.link.linkId}`, apiKey: key.link.accessToken, pid: conduit.pid },
  ];
  // The floor under the limits: the undici forwarder plus the Redis round trips of admission and
  // settlement, nothing else (on a database of its own). BENCH_FLOOR=0 leaves it out; BENCH_FLOOR=layers
  // adds the same floor with that Redis work done by Conduit's own admission and Redis client.
  if (process.env.BENCH_FLOOR !== '0') {
    const floorRedis = `${redisUrl.replace(/\/\d+$/, '')}/10`;
    const floor = await startEntry('floor', 'lib/bench/guarded-forwarder.ts', [mock.url, upstreamKey, floorRedis], profiling(bareProfile && `${bareProfile}-floor`));
    targets.push({ name: FLOOR, url: floor.url, apiKey: 'ignored', pid: floor.child.pid });
    if (process.env.BENCH_FLOOR === 'layers') {
      const flags = ['--conditions=react-server', ...profiling(bareProfile && `${bareProfile}-floor-conduit`)];
      const layered = await startEntry('floor (Conduit layer)', 'lib/bench/guarded-forwarder.ts', [mock.url, upstreamKey, floorRedis, 'conduit'], flags);
      targets.push({ name: FLOOR_CONDUIT, url: layered.url, apiKey: 'ignored', pid: layered.child.pid });
    }
  }
  // `npm start` on every core (lib/server/primary.mjs): one worker per core, on a Redis database of
  // its own so it drains its own usage queue. BENCH_WORKERS=0 leaves it out.
  const workers = Number(process.env.BENCH_WORKERS ?? cpus().length);
  if (workers > 1) {
    const everyCore = await startConduit({ ...environment, WEB_CONCURRENCY: String(workers), REDIS_URL: `${redisUrl.replace(/\/\d+$/, '')}/13` });
    targets.push({ name: `${CONDUIT}, ${workers} workers`, url: everyCore.url, apiKey: key.secret, pid: everyCore.pid });
  }
  // BENCH_VARIANT: a second Conduit server, started with other V8 flags and/or environment
  // (e.g. "--max-semi-space-size=64" or "CONDUIT_BACKGROUND=inline"), measured in the same rounds
  // — on this machine the only fair way to compare two setups.
  if (VARIANT) {
    // Its own Redis database, so it drains its own usage queue: each server's CPU is its own work.
    const variant = await startConduit({ ...environment, REDIS_URL: `${redisUrl.replace(/\/\d+$/, '')}/14`, ...VARIANT.env }, VARIANT.flags);
    targets.push({ name: `${CONDUIT} [${process.env.BENCH_VARIANT}]`, url: variant.url, apiKey: key.secret, pid: variant.pid });
  }
  // BENCH_BASELINE_BUNDLE: the same, for a change of code — a second server running another build of
  // the hot path (see startConduitWithBundle), with a Redis database of its own.
  const baselineBundle = process.env.BENCH_BASELINE_BUNDLE;
  if (baselineBundle) {
    const baseline = await startConduitWithBundle(baselineBundle, { ...environment, REDIS_URL: `${redisUrl.replace(/\/\d+$/, '')}/12` });
    targets.push({ name: `${CONDUIT} [${path.basename(baselineBundle)}]`, url: baseline.url, apiKey: key.secret, pid: baseline.pid });
  }
  const baselineCheckout = process.env.BENCH_BASELINE_CHECKOUT;
  if (baselineCheckout) {
    const baseline = await startConduitFromCheckout(baselineCheckout, { ...environment, WEB_CONCURRENCY: '1', REDIS_URL: `${redisUrl.replace(/\/\d+$/, '')}/11` });
    targets.push({ name: `${CONDUIT} [${path.basename(baselineCheckout)}]`, url: baseline.url, apiKey: key.secret, pid: baseline.pid });
  }
  // Portkey's open-source gateway as a peer (JSON only: its 1.15.2 fails streams from an
  // OpenAI-compatible custom host on Node 20 — "immutable" headers). BENCH_PORTKEY=0 leaves it out.
  if (process.env.BENCH_PORTKEY !== '0') {
    try {
      const portkey = await startPortkey(mock.url);
      targets.push({ name: PORTKEY, url: portkey.url, apiKey: upstreamKey, headers: portkey.headers, modes: ['json'], pid: portkey.child.pid });
    } catch (error) {
      console.warn(`[bench] Portkey left out: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(`[bench] upstream ${mock.url}, forwarders ${bare.url} (fetch) and ${bareRequest.url} (request), Conduit ${conduitUrl}; database ${DATABASE_NAME}, Redis ${redact(redisUrl)}`);

  // Fail fast (with the answer) if a target is misconfigured, before minutes of load.
  for (const target of targets) for (const mode of target.modes ?? (['json', 'stream'] as const)) await probe(target, mode);
  if (failures.length > 0) return reportFailures();

  // Conduit requests, to compare with the usage rows at the end (2 probes per Conduit server so far).
  const gateways = targets.filter((target) => target.name.startsWith(CONDUIT)).length;
  const conduitRequests = { completed: 2 * gateways, sent: 2 * gateways };
  const rows: Row[] = [];
  const stolenShares: number[] = [];
  const idleShares: number[] = [];
  for (const mode of MODES) {
    // Rounds take turns target by target, so a slow spell of the shared machine (the run-to-run
    // noise here is ±20 %) falls on every target alike instead of on whichever ran during it.
    const measured = targets.map(() => ({ runs: [] as LoadResult[], cpuMs: 0, servicesMs: 0, cpuKnown: true, single: [] as LoadResult[] }));
    const inMode = (target: Target) => !target.modes || target.modes.includes(mode);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, target] of targets.entries()) {
        if (!inMode(target)) continue;
        const warmUp = round === 1 ? WARMUP_SECONDS : REWARM_SECONDS;
        process.stdout.write(`[bench] ${mode}, round ${round}/${ROUNDS}, ${target.name}: ${warmUp} s warm-up + ${SECONDS} s at ${CONNECTIONS} connections… `);
        const warm = await runLoad(target, mode, CONNECTIONS, warmUp);
        const cpuBefore = [processTreeCpuMs(target.pid), servicesCpuMs()];
        const ticksBefore = machineTicks();
        const load = await runLoad(target, mode, CONNECTIONS, SECONDS);
        const ticksAfter = machineTicks();
        const stolen = stolenShare(ticksBefore, ticksAfter);
        const idle = idleShare(ticksBefore, ticksAfter);
        const cpuAfter = [processTreeCpuMs(target.pid), servicesCpuMs()];
        const spent = (k: number) => (cpuBefore[k] === undefined || cpuAfter[k] === undefined ? undefined : cpuAfter[k]! - cpuBefore[k]!);
        const [cpu, services] = [spent(0), spent(1)];
        if (cpu === undefined || services === undefined) measured[i]!.cpuKnown = false;
        else [measured[i]!.cpuMs, measured[i]!.servicesMs] = [measured[i]!.cpuMs + cpu, measured[i]!.servicesMs + services];
        measured[i]!.runs.push(load);
        console.log(
          `${Math.round(load.rps)} req/s, p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms` +
            (idle === undefined ? '' : `, machine ${(idle * 100).toFixed(0)} % idle`) +
            (stolen === undefined ? '' : `, ${(stolen * 100).toFixed(1)} % of the CPU stolen by the hypervisor`),
        );
        if (stolen !== undefined) stolenShares.push(stolen);
        if (idle !== undefined) idleShares.push(idle);
        note(`${target.name} ${mode} warm-up`, warm.failures, warm.firstFailure);
        note(`${target.name} ${mode}`, load.failures, load.firstFailure);
        if (target.name.startsWith(CONDUIT)) count(conduitRequests, [warm, load], 0);
      }
    }
    // Added latency without queueing: one connection, one request at a time (JSON), in turns too.
    if (mode === 'json') {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const [i, target] of targets.entries()) {
          process.stdout.write(`[bench] json, one connection, round ${round}/${ROUNDS}, ${target.name}: ${SINGLE_SECONDS} s… `);
          const single = await runLoad(target, mode, 1, SINGLE_SECONDS);
          console.log(`${(1000 / single.rps).toFixed(3)} ms per request, p50 ${single.p50.toFixed(2)} ms`);
          note(`${target.name} one connection`, single.failures, single.firstFailure);
          if (target.name.startsWith(CONDUIT)) count(conduitRequests, [single], 0);
          measured[i]!.single.push(single);
        }
      }
    }
    for (const [i, target] of targets.entries()) {
      if (!inMode(target)) continue;
      const { runs, cpuMs, servicesMs, cpuKnown, single } = measured[i]!;
      const load = mergeLoads(runs);
      const perRequest = (ms: number) => (cpuKnown && load.completed > 0 ? (ms * 1000) / load.completed : undefined);
      const stream = mode === 'stream' ? await sampleStreams(target, TTFB_SAMPLES) : undefined;
      if (stream) note(`${target.name} TTFB sampler`, stream.failures, stream.firstFailure);
      if (stream && target.name.startsWith(CONDUIT)) count(conduitRequests, [], TTFB_SAMPLES);
      rows.push({ target: target.name, mode, load, stream, cpuUs: perRequest(cpuMs), servicesUs: perRequest(servicesMs), single: single.length ? mergeLoads(single) : undefined });
    }
  }

  // With pauses between upstream events, an unbuffered path shows the first event long before the last.
  await new Promise((acknowledged) => mock.child.send({ chunkDelayMs: CHECK_DELAY_MS }, () => mock.child.once('message', acknowledged)));
  const check: { target: string; timings: StreamTimings }[] = [];
  for (const target of targets.filter((t) => !t.modes || t.modes.includes('stream'))) check.push({ target: target.name, timings: await sampleStreams(target, CHECK_SAMPLES) });
  for (const { target, timings } of check) note(`${target} stream check`, timings.failures, timings.firstFailure);
  count(conduitRequests, [], CHECK_SAMPLES * gateways);

  const after = loadavg()[0]!;
  const setup =
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; load generator (autocannon) in the bench process, ` +
    `mock upstream, forwarder and Conduit in their own processes, all on the same cores. ${CONNECTIONS} connections, ` +
    `${ROUNDS} rounds taking turns, each ${SECONDS} s per target after a warm-up (${WARMUP_SECONDS} s, then ${REWARM_SECONDS} s): ${ROUNDS * SECONDS} s per row; POST ${PATH}, max_tokens 16; TTFB: ${TTFB_SAMPLES} sequential streams. ` +
    `1-min load average ${before.toFixed(2)} before, ${after.toFixed(2)} after` +
    (stolenShares.length ? `; CPU stolen by the hypervisor during the runs: ${(Math.min(...stolenShares) * 100).toFixed(1)}–${(Math.max(...stolenShares) * 100).toFixed(1)} %` : '') +
    (idleShares.length ? `; machine idle during the runs: ${(Math.min(...idleShares) * 100).toFixed(0)}–${(Math.max(...idleShares) * 100).toFixed(0)} %.` : '.');
  console.log(`\n${renderReport(rows, setup)}\n\n${renderStreamCheck(check, CHECK_DELAY_MS, CHECK_SAMPLES)}\n`);

  // Every Conduit request leaves a usage row; those cut off in flight at the end of a run may too.
  process.stdout.write('[bench] waiting for the usage drain… ');
  const stored = await waitForUsageRows(key.keyId, conduitRequests.completed);
  console.log(
    `usage_records: ${stored} of ${conduitRequests.completed} completed Conduit requests ` +
      `(${conduitRequests.sent} sent, the difference in flight when a run stopped)`,
  );
  if (stored < conduitRequests.completed || stored > conduitRequests.sent) {
    failures.push(`usage_records: ${stored} rows, expected between ${conduitRequests.completed} and ${conduitRequests.sent}`);
  }
  return failures.length > 0 ? reportFailures() : 0;
}

function count(total: { completed: number; sent: number }, loads: LoadResult[], sequential: number) {
  for (const load of loads) {
    total.completed += load.completed;
    total.sent += load.sent;
  }
  total.completed += sequential;
  total.sent += sequential;
}

/** One request, its answer checked in full. */
async function probe(target: Target, mode: Mode): Promise<void> {
  const response = await fetch(`${target.url}${PATH}`, {
    method: 'POST',
    headers: requestHeaders(target),
    body: requestBody(mode),
  });
  const text = await response.text();
  const complete = mode === 'stream' ? text.includes('data: [DONE]') : text.includes('"chat.completion"');
  if (!response.ok || !complete) note(`${target.name} ${mode} probe`, 1, `HTTP ${response.status}: ${text.slice(0, 500)}`);
}

function reportFailures(): number {
  console.error(`\n[bench] FAILED:\n${failures.map((failure) => `- ${failure}`).join('\n')}`);
  return 1;
}

main()
  .catch((error: unknown) => {
    console.error('[bench] error:', error instanceof Error ? error.message : error);
    return 1;
  })
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  });
