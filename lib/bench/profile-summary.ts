// `npm run bench:profile -- <dir>` — where the server's CPU went, from the V8 profile that
// `BENCH_CPU_PROF=<dir> npm run bench` wrote: self time by kind of work (the shares the README
// quotes), then the busiest functions of Conduit's own bundle. Idle time is left out.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Kinds of work, first match wins (matched against "function url"). */
const KINDS: [string, RegExp][] = [
  ['GC', /^\(garbage collector\)/],
  ['system calls (socket writes)', /^(writev|writeUtf8String|writeLatin1String|writeBuffer) /],
  ['undici (fetch)', /undici/],
  ['Web streams', /webstreams|js_transferable|^JSTransferable /],
  ["Conduit's hot path (own code)", /hot-path\.mjs/],
  ['node:http', /_http_|http_common/],
  ['net and Node streams', /node:net|internal\/streams|stream_base/],
  ['ioredis', /ioredis|redis-parser|denque/],
  ['Next.js bundles (drain, sweeper, Redis requester)', /\.next\/server/],
  ['events, timers, promises', /events|timers|task_queues|async_hooks|abort_controller|event_target|^runMicrotasks /],
  ['module loading (start-up)', /modules|cjs|esm|wasm/],
  ['zod', /zod/],
  ['crypto', /crypto/],
];

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run bench:profile -- <directory written by BENCH_CPU_PROF>');
  process.exit(2);
}
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error(`no .cpuprofile in ${dir}`);
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile;

const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const byKind = new Map<string, number>();
const ownFunctions = new Map<string, number>();
let busy = 0;
for (const node of profile.nodes) {
  const time = selfTime.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (time === 0 || functionName === '(idle)') continue;
  busy += time;
  const label = `${functionName} ${url}`;
  const kind = KINDS.find(([, pattern]) => pattern.test(label))?.[0] ?? 'other';
  byKind.set(kind, (byKind.get(kind) ?? 0) + time);
  if (url.includes('hot-path.mjs')) {
    const name = `${functionName || '(anonymous)'}:${lineNumber}`;
    ownFunctions.set(name, (ownFunctions.get(name) ?? 0) + time);
  }
}

const share = (time: number) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
console.log(`${file}: ${(busy / 1e6).toFixed(1)} s of CPU (idle left out)\n\nself time by kind of work:`);
for (const [kind, time] of top(byKind, KINDS.length + 1)) console.log(`${share(time)}  ${kind}`);
console.log("\nbusiest functions of Conduit's own code (self time):");
for (const [name, time] of top(ownFunctions, 10)) console.log(`${share(time)}  ${name}`);
