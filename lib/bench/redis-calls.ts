/**
 * npm run bench:redis-calls — what a request's exact limits cost Redis itself: the floor of
 * `npm run bench` (guarded-forwarder.ts: Conduit's admission and settlement scripts, nothing else)
 * loaded alone with autocannon, with Redis's per-command statistics read around the load. Prints
 * each command's calls and Redis time per request, and how much of the scripts' time the commands
 * inside them take.
 *
 * It resets Redis's statistics (CONFIG RESETSTAT) and counts every command Redis runs meanwhile, so
 * run it on a Redis nothing else uses. BENCH_REDIS_URL (default redis://127.0.0.1:6379/10).
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startEntry, stopAll } from './children';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/10';
const SECONDS = 10;
/** Not the scripts' inner commands: the calls themselves, and the floor's own upkeep. */
const OUTER = new Set(['evalsha', 'eval', 'lpush', 'ltrim', 'set', 'del', 'config', 'info', 'script']);

const upstreamKey = `sk-bench-${randomBytes(8).toString('hex')}`;
const mock = await startEntry('mock upstream', 'lib/bench/mock-upstream.ts', [upstreamKey]);
const floor = await startEntry('floor', 'lib/bench/guarded-forwarder.ts', [mock.url, upstreamKey, REDIS_URL]);
/** What is read of autocannon's result. */
interface Outcome {
  requests: { total: number };
  non2xx: number;
  errors: number;
}
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] });
const load = (duration: number) =>
  new Promise<Outcome>((resolve, reject) =>
    autocannon(
      { url: `${floor.url}/v1/chat/completions`, connections: 16, duration, requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, body }] },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );

const redis = new Redis(REDIS_URL);
await load(3);
await redis.call('config', 'resetstat');
const result = await load(SECONDS);
const stats = String(await redis.call('info', 'commandstats'));
await redis.quit();
await stopAll();

const requests = result.requests.total;
if (requests === 0 || result.non2xx > 0 || result.errors > 0) {
  console.error(`[bench] the floor answered ${requests} requests, ${result.non2xx} not 2xx, ${result.errors} errors`);
  process.exit(1);
}
console.log(`${requests.toLocaleString('en')} requests in ${SECONDS} s at 16 connections.\n`);
console.log('| command | calls per request | Redis µs per request |\n| --- | ---: | ---: |');
let inner = 0;
let scripts = 0;
for (const [, name, calls, usec] of stats.matchAll(/^cmdstat_(\w+):calls=(\d+),usec=(\d+)/gm)) {
  if (name === 'config' || name === 'info') continue;
  console.log(`| ${name!.toUpperCase()} | ${(Number(calls) / requests).toFixed(2)} | ${(Number(usec) / requests).toFixed(1)} |`);
  if (name === 'evalsha' || name === 'eval') scripts += Number(usec);
  else if (!OUTER.has(name!)) inner += Number(usec);
}
console.log(`\nScripts: ${(scripts / requests).toFixed(1)} µs per request, of which the commands inside them ${(inner / requests).toFixed(1)} µs.`);
