/**
 * npm run bench:steps — what each of a /v1 request's own steps costs on its own, in a warm loop in
 * one process (no I/O, no event loop, no other requests' garbage): the body parsed, its models
 * picked and the body checked, priced and rewritten; the upstream's answer parsed; the request
 * context and its usage record built and serialised for the queue; the drain's parse of it; the
 * metrics and the log line; the key's hash; a URL and an AbortController. Against `npm run bench`,
 * whose CPU column is what a whole request costs under load, this shows how much of the gap to the
 * forwarders is in the steps themselves and how much in running them as a request among others.
 */
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';

// lib/env.ts reads process.env once, on first use: a provider must be configured for the model.
process.env.OPENAI_API_KEY ??= 'sk-bench-steps';

const { checkedBody, costBound, requestedModels, upstreamBodyFor, usableModel } = await import('@/lib/gateway/candidates');
const { newContext, usageRecord } = await import('@/lib/gateway/context');
const { createLogger } = await import('@/lib/observability/log');
const { metrics } = await import('@/lib/observability/metrics');
const { queuedRecord } = await import('@/lib/usage/queue');
const { usageRecordSchema } = await import('@/lib/usage/record');
type KeyRecord = import('@/lib/keys/record').KeyRecord;

const key: KeyRecord = {
  id: 'key_steps',
  userId: 'user_steps',
  hash: '',
  enabled: true,
  expiresAt: null,
  allowedModels: [],
  allowedOperations: [],
  ipAllowlist: [],
  rateLimits: { minute: 1_000, hour: null, day: null },
  spendLimits: { day: 1_000_000, week: null, month: null },
};
const body = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello in one short sentence, please.' }] });
const answer = JSON.stringify({
  id: 'chatcmpl-steps',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there! How are you today?' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});

const ROUNDS = Number(process.env.BENCH_STEPS ?? 50_000);
const rows: [string, number][] = [];
function step(name: string, run: () => unknown): void {
  for (let i = 0; i < 2_000; i++) run();
  const started = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) run();
  const spent = process.cpuUsage(started);
  rows.push([name, (spent.user + spent.system) / ROUNDS]);
}

step('request body: JSON.parse', () => JSON.parse(body));
step('request body: models, checks, price, upstream body', () => {
  const raw = JSON.parse(body) as Record<string, unknown>;
  const models = requestedModels(raw, 'chat').map((model) => usableModel(model, key, 'chat'));
  const checked = checkedBody('chat', models, raw);
  const cost = costBound('chat', models, checked);
  return JSON.stringify(upstreamBodyFor('chat', models[0]!, checked, cost, 16));
});
step("upstream's answer: JSON.parse", () => JSON.parse(answer));
const context = newContext();
context.key = key;
Object.assign(context.record, { model: 'gpt-4o-mini', provider: 'openai', operation: 'chat', stream: false, inputTokens: 12, outputTokens: 8, costMicros: 30 });
step('request context', () => newContext());
step('usage record, serialised for the queue', () => queuedRecord(usageRecord(context, 200)));
const queued = queuedRecord(usageRecord(context, 200)).json;
step("drain: the record's JSON.parse and schema", () => usageRecordSchema.parse(JSON.parse(queued)));
const { requests, duration } = metrics();
step('metrics: a count and a latency', () => {
  requests.labels('v1', '200', '').inc();
  duration.labels('v1').observe(0.003);
});
const log = createLogger(new Writable({ write: (_chunk, _encoding, done) => done() }));
step('log line (to a stream that drops it)', () =>
  log.info({ msg: 'request', requestId: 'req_steps', surface: 'v1', method: 'POST', path: '/v1/chat/completions', status: 200, ms: 3.2 }),
);
step("key's hash (SHA-256)", () => createHash('sha256').update('condt_abcdefghijklmnopqrstuvwxyz0123456789').digest('hex'));
step('URL parse', () => new URL('http://127.0.0.1:3000/v1/chat/completions').pathname);
step('AbortController', () => new AbortController().signal);

console.log(`Each step ${ROUNDS.toLocaleString('en')} times in a warm loop; CPU µs per call (user + system).\n`);
console.log('| step | CPU µs |\n| --- | ---: |');
for (const [name, us] of rows) console.log(`| ${name} | ${us.toFixed(2)} |`);
console.log(`| all of the above | ${rows.reduce((sum, [, us]) => sum + us, 0).toFixed(2)} |`);
