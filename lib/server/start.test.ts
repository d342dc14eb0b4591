import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitForHttp } from '@/lib/bench/children';
import { startMockOpenAI } from '@/lib/testing/mock-openai';
import { useTestServices } from '@/lib/testing/services';
import { personalActor } from '@/lib/orgs/actor';

/**
 * `npm start` (lib/server/start.mjs, the production build) as a child process, stopped the way a
 * rolling restart stops it: SIGTERM in the middle of a stream. The stream finishes, new
 * connections are refused, the request is settled (its usage record queued with its cost), and
 * the process exits 0. Needs the build (`npm run build`), and real PostgreSQL and Redis (the
 * embedded database cannot be shared by two processes).
 */
const built = existsSync('.next/BUILD_ID') && existsSync('.next/conduit/hot-path.mjs');
const enabled = built && Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

const services = await useTestServices();
const upstream = await startMockOpenAI({ chunkDelayMs: 100 });
let child: ChildProcess | undefined;
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await upstream.close();
  await services.cleanup();
});

/** A streamed chat completion: resolves `first` at the first chunk, `whole` with the full text. */
function stream(url: string, secret: string, words: number) {
  let first!: () => void;
  const firstChunk = new Promise<void>((resolve) => (first = resolve));
  const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, max_tokens: words + 1, messages: [{ role: 'user', content: Array.from({ length: words }, (_, i) => `w${i}`).join(' ') }] });
  const whole = new Promise<{ text: string; requestId: string; connection: string | undefined }>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = httpRequest({ host: hostname, port, path: '/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        first();
      });
      res.on('end', () => resolve({ text, requestId: String(res.headers['x-request-id']), connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  return { firstChunk, whole };
}

describe.skipIf(!enabled)(`npm start on ${services.label}`, () => {
  it('on SIGTERM lets a stream in flight finish, refuses new connections, settles and exits 0', async () => {
    const { signUp } = await import('@/lib/auth/users');
    const { createKey } = await import('@/lib/keys/service');
    const signed = await signUp({ email: `shutdown-${Date.now()}@example.com`, password: 'graceful shutdown 1' });
    if (!signed.ok) throw new Error('sign-up failed');
    const { secret } = await createKey(personalActor(signed.user.id), { name: 'shutdown' });

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    let stdout = '';
    child = spawn(process.execPath, ['lib/server/start.mjs', '--port', String(port), '--hostname', '127.0.0.1'], {
      env: { ...process.env, NODE_ENV: 'production', OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: upstream.apiKey, SHUTDOWN_TIMEOUT_MS: '20000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (data: Buffer) => {
      output.push(data.toString());
      stdout += data.toString();
    });
    child.stderr!.on('data', (data: Buffer) => output.push(data.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    await waitForHttp(`${url}/v1/models`, 60_000, child);

    // About 4 s of stream (40 words, 100 ms apart); SIGTERM once it has begun.
    const { firstChunk, whole } = stream(url, secret, 40);
    await firstChunk;
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));

    // A new connection (fetch would reuse the keep-alive one waitForHttp left open).
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve('connected'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ECONNREFUSED');

    const answer = await whole;
    expect(answer.text).toContain('w39');
    expect(answer.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const exit = await exited;
    expect(exit, output.join('')).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    // The server's own lines are JSON, as its request log is.
    const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; component?: string; msg: string });
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, component: 'server', msg: 'stopped' }));

    // Settled before the exit: the settlement script queued the record with its real cost.
    const { drainUsageOnce } = await import('@/lib/usage/drain');
    const { getDb } = await import('@/db');
    const { usageRecords } = await import('@/db/schema');
    const { eq } = await import('drizzle-orm');
    await drainUsageOnce();
    const rows = await (await getDb()).select().from(usageRecords).where(eq(usageRecords.requestId, answer.requestId));
    expect(rows.map((row) => [row.status, row.errorCode, row.costMicros > 0])).toEqual([[200, null, true]]);
  }, 120_000);
});
