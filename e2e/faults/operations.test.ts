import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userJwt } from '@/lib/proxy/testing';
import { report } from './report';
import { chatBody, createWorld, drainConsumers, missingRecords, type World } from './scenario';
import { exited, waitFor, type Conduit } from './services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * What an operator runs: `npm start` on every core (one worker per core, one port), /metrics
 * behind its token and merged across the workers, one JSON log line per request — and no secret
 * in any of it. Against the production build, on PostgreSQL and Redis.
 */

const METRICS_TOKEN = randomBytes(24).toString('hex');
const JWT_SECRET = randomBytes(32).toString('hex');

let world: World;
let server: Conduit;

beforeAll(async () => {
  world = await createWorld();
  server = await world.startServer({ WEB_CONCURRENCY: '2', METRICS_TOKEN, PROXY_ALLOW_PRIVATE_UPSTREAMS: 'true', TRUSTED_PROXY_COUNT: '0' });
});
afterAll(async () => {
  await world?.close();
});

const workersOf = (pid: number) =>
  execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);

const scrape = (headers: Record<string, string> = { authorization: `Bearer ${METRICS_TOKEN}` }) => fetch(`${server.url}/metrics`, { headers });

/** The value of one sample in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => inside.split(',').includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const chat = (secret: string) =>
  fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: chatBody() });

describe('npm start on every core', () => {
  it('serves one port from two workers; /metrics needs its token and counts every worker’s requests', async () => {
    expect(workersOf(server.child.pid!)).toHaveLength(2);
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);

    const before = await (await scrape()).text();
    const answers = await Promise.all(Array.from({ length: 40 }, () => chat(world.account.secret)));
    const refused = await Promise.all(Array.from({ length: 5 }, () => chat('condt_not_a_key')));
    const metrics = await scrape();
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const after = await metrics.text();

    const served = sample(after, 'conduit_http_requests_total', { surface: 'v1', status: '200' }) - sample(before, 'conduit_http_requests_total', { surface: 'v1', status: '200' });
    const invalid = sample(after, 'conduit_http_requests_total', { surface: 'v1', status: '401', code: 'invalid_api_key' }) - sample(before, 'conduit_http_requests_total', { surface: 'v1', status: '401', code: 'invalid_api_key' });
    const refusalsCounted = sample(after, 'conduit_admission_refusals_total', { surface: 'v1', reason: 'invalid_api_key' }) - sample(before, 'conduit_admission_refusals_total', { surface: 'v1', reason: 'invalid_api_key' });
    // Both workers answered some of the 40 (connections are spread across them), and their counts are summed.
    const pids = new Set(linesOf(server).filter((line) => line.surface === 'v1').map((line) => line.pid));
    report('npm start with WEB_CONCURRENCY=2', { workers: 2, 'v1 requests counted': served, 'answered by processes': pids.size });
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(refused.every((answer) => answer.status === 401)).toBe(true);
    expect(served).toBe(40);
    expect(invalid).toBe(5);
    expect(refusalsCounted).toBe(5);
    expect(after).toMatch(/^conduit_upstream_duration_seconds_count\{upstream="openai",outcome="answered"\} \d+/m);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(after).toMatch(/^conduit_usage_queue_backlog \d+/m);
    expect(pids.size).toBe(2);

    // Worker 0 runs the usage drain: its records reach the scrape too, whichever worker answers it.
    await waitFor(async () => storedRecords(await (await scrape()).text()) - storedRecords(before) >= 45, 20_000, "the drained records in /metrics");
  });

  it('replaces a worker killed with -9, and answers every new connection meanwhile', async () => {
    const [victim] = workersOf(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary knows (its log says so): a connection node:cluster's round robin hands to a
    // worker in the instant it dies is lost with it, and waits for the client's own timeout.
    await waitFor(async () => server.output().includes('a worker died'), 10_000, 'the primary to see the death');
    const statuses: (number | string)[] = [];
    await waitFor(
      async () => {
        // A connection of its own each time: those the killed worker held die with it (a client
        // reusing one sees a reset, as from any crashed server); what must hold is every new one.
        statuses.push(await freshConnectionStatus(`${server.url}/api/health`));
        const now = workersOf(server.child.pid!);
        return now.length === 2 && !now.includes(victim!);
      },
      30_000,
      'a new worker',
    );
    // The new worker serves too.
    await waitFor(async () => (await chat(world.account.secret)).status === 200, 30_000, 'answers after the replacement');
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});

describe('the request log', () => {
  it('is one JSON line per request with its id, surface, status and latency — and holds no secret', async () => {
    const { createToken } = await import('@/lib/management/tokens');
    const { createLink } = await import('@/lib/links/service');
    const { linkSchemas } = await import('@/lib/links/schema');
    const management = await createToken(personalActor(world.account.userId), 'logs');
    const link = await createLink(
      personalActor(world.account.userId),
      linkSchemas({ allowPrivate: true }).create.parse({
        name: 'logs',
        preset: 'openai',
        upstream_base_url: world.upstream.url,
        // The mock OpenAI's key (also the server's OPENAI_API_KEY): it must reach the upstream, and nothing else.
        secret: world.upstream.apiKey,
        jwt: { algorithm: 'HS256', secret: JWT_SECRET },
      }),
    );
    const jwt = await userJwt({ sub: 'end-user-1' }, JWT_SECRET);
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;

    // A key, a management token, a link's access token and an end user's JWT, each sent where it
    // belongs and where it does not (query strings, wrong places); a right and a wrong password.
    const keyAnswer = await chat(world.account.secret);
    await fetch(`${server.url}/v1/models?api_key=${world.account.secret}`);
    await fetch(`${server.url}/api/v1/keys`, { headers: { authorization: `Bearer ${management.secret}` } });
    await fetch(`${server.url}/api/v1/keys?token=${management.secret}`);
    const linkAnswer = await fetch(`${server.url}/proxy/${link.link.id}/v1/models`, {
      headers: { 'x-access-token': link.token.secret, authorization: `Bearer ${jwt}` },
    });
    const linkBody = await linkAnswer.text();
    await fetch(`${server.url}/proxy/${link.link.id}/v1/models?access_token=${link.token.secret}`, { headers: { authorization: `Bearer ${jwt}` } });
    await fetch(`${server.url}/proxy/${link.link.id}/v1/${jwt}?key=${world.upstream.apiKey}`, { headers: { 'x-access-token': link.token.secret } });
    await fetch(`${server.url}/proxy/${link.link.id}?access_token=${link.token.secret}&key=${world.upstream.apiKey}`);
    for (const password of [world.account.password, wrongPassword]) await signIn(world.account.email, password);
    expect(keyAnswer.status).toBe(200);
    expect(linkAnswer.status, linkBody).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last lines reach the pipe

    const lines = linesOf(server);
    const v1 = lines.find((line) => line.requestId === keyAnswer.headers.get('x-request-id'));
    expect(v1).toMatchObject({ msg: 'request', surface: 'v1', method: 'POST', path: '/v1/chat/completions', status: 200 });
    expect(typeof v1?.ms).toBe('number');
    const viaLink = lines.find((line) => line.requestId === linkAnswer.headers.get('x-request-id'));
    expect(viaLink).toMatchObject({ surface: 'link', path: `/proxy/${link.link.id}`, status: 200 });
    expect(lines.some((line) => line.surface === 'management' && line.path === '/api/v1/keys')).toBe(true);

    const secrets = { key: world.account.secret, 'management token': management.secret, 'access token': link.token.secret, jwt, 'upstream secret': world.upstream.apiKey, 'JWT secret': JWT_SECRET, password: world.account.password, 'wrong password': wrongPassword };
    const output = server.output();
    const leaked = Object.entries(secrets).filter(([, secret]) => output.includes(secret)).map(([name]) => name);
    report('Secrets in the server log', { lines: output.split('\n').length, leaked: leaked.join(', ') || 'none' });
    expect(leaked).toEqual([]);
  });
});

describe('shutdown', () => {
  it('SIGTERM to the primary stops every worker gracefully and exits 0', async () => {
    const workers = workersOf(server.child.pid!);
    const exit = exited(server.child);
    server.child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('npm start as one process', () => {
  it('drains usage: records stored and counted in /metrics, process metrics once, a graceful stop retires its consumer', async () => {
    // After the server above has stopped: this one's drain is then the queue's only consumer.
    const one = await world.startServer({ METRICS_TOKEN });
    const scrapeOne = async () => (await fetch(`${one.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const before = await scrapeOne();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${one.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${world.account.secret}`, 'content-type': 'application/json' }, body: chatBody() }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const ids = answers.map((answer) => answer.headers.get('x-request-id')!);
    expect(await missingRecords(world.database.sql, world.account.keyId, ids, 20_000)).toEqual([]);
    await waitFor(async () => storedRecords(await scrapeOne()) - storedRecords(before) >= 20, 10_000, "the drain's count in /metrics");
    const text = await scrapeOne();
    // Its process metrics, once each.
    expect(text.match(/^process_cpu_seconds_total /gm)).toHaveLength(1);
    expect(text).toMatch(/^process_start_time_seconds \d/m);
    expect(text).toMatch(/^conduit_usage_drain_lag_seconds \d/m);

    const exit = exited(one.child);
    one.child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    // The drain's consumer (named after its process) retired on the way out.
    expect((await drainConsumers(world.redis.url)).filter((name) => name.includes(`:${one.child.pid}:`))).toEqual([]);
    expect(one.output()).not.toContain('did not stop in time');
    expect(one.output()).not.toContain('retiring the drain consumer failed');
  });
});

/** Records the usage drains have stored, as a /metrics scrape counts them (every worker's). */
const storedRecords = (text: string) => sample(text, 'conduit_usage_drained_records_total', { outcome: 'stored' });

/** One GET on a connection of its own: the status, or what went wrong (a hang past 10 s included). */
function freshConnectionStatus(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => {
      request.destroy();
      resolve('timeout');
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

interface LogLine {
  msg?: string;
  pid?: number;
  requestId?: string;
  surface?: string;
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
}

function linesOf(conduit: Conduit): LogLine[] {
  return conduit
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg === 'request');
}

/** Signs in over HTTP the way the login form's request does (Auth.js credentials callback). */
async function signIn(email: string, password: string): Promise<void> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
  await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrfToken, email, password }),
  });
}
