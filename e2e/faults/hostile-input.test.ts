import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from './report';
import { call, createWorld, missingRecords, type World } from './scenario';

/**
 * Hostile input against the production server, byte for byte as a client can send it (raw
 * sockets, not an HTTP client that would tidy the request up): each gets a clear 4xx — never a
 * 500, a hang or a connection closed without an answer — and connections are bounded.
 */

let world: World;
let port: number;
beforeAll(async () => {
  world = await createWorld();
  const server = await world.startServer();
  port = Number(new URL(server.url).port);
});
afterAll(() => world?.close());

interface RawAnswer {
  /** The status line's code, or null when the connection closed without an answer. */
  status: number | null;
  text: string;
  ms: number;
}

/** Sends `chunks` (with pauses where a number stands) and reads until the server closes or `timeoutMs`. */
function raw(chunks: (string | number)[], timeoutMs = 30_000): Promise<RawAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text, ms: performance.now() - started });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (data) => {
      text += data.toString('latin1');
      // One answer is enough (the server may keep the connection open afterwards).
      if (/\r\n\r\n/.test(text) && complete(text)) done();
    });
    socket.on('close', done);
    socket.on('error', () => {});
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk));
        else if (!socket.destroyed) socket.write(chunk, 'latin1');
      }
    });
  });
}

/** Headers and as much body as Content-Length announced have arrived. */
function complete(text: string): boolean {
  const [head, ...rest] = text.split('\r\n\r\n');
  const length = /content-length: *(\d+)/i.exec(head ?? '');
  return length ? Buffer.byteLength(rest.join('\r\n\r\n'), 'latin1') >= Number(length[1]) : false;
}

const json = (answer: RawAnswer) => JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4)) as { error: { code: string; param: string | null } };

function post(path: string, body: string, secret = world.account.secret): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${secret}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

describe('hostile input to the production server', () => {
  it('answers a body nested 5,000 deep with 400', async () => {
    const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const answer = await raw([post('/v1/chat/completions', body)]);
    expect(answer.status).toBe(400);
    expect(json(answer).error.code).toBeTruthy();
  });

  it('answers TRACE, TRACK and CONNECT with 405 on the API, links and pages', async () => {
    for (const [method, path] of [
      ['TRACE', '/v1/models'],
      ['TRACK', '/v1/chat/completions'],
      ['TRACE', '/proxy/l123/v1/models'],
      ['TRACE', '/login'],
    ] as const) {
      const answer = await raw([`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`]);
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.text.toLowerCase()).toContain('allow:');
    }
  });

  it('refuses an absolute-form request target with 400, never a redirect to the host it names', async () => {
    for (const path of ['/v1/models', '/login', '/dashboard', '/']) {
      const answer = await raw([`GET http://evil.example${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`]);
      expect(answer.status, path).toBe(400);
      expect(answer.text).not.toMatch(/location: *http:\/\/evil/i);
    }
  });

  it('answers max_tokens beyond reason, or beyond the model, with 400 naming the field — and records the real error code', async () => {
    const huge = await call(`http://127.0.0.1:${port}`, world.account.secret, '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":1e12}');
    const overModel = await call(`http://127.0.0.1:${port}`, world.account.secret, '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":16385}');
    expect(huge.status).toBe(400);
    expect(overModel.status).toBe(400);
    expect(await missingRecords(world.database.sql, world.account.keyId, [huge.requestId!, overModel.requestId!], 15_000)).toEqual([]);
    const rows = await world.database.sql<{ error_code: string }[]>`
      select error_code from usage_records where request_id in ${world.database.sql([huge.requestId!, overModel.requestId!])}`;
    expect(rows.map((row) => row.error_code)).not.toContain('internal_error');
  });

  it('bounds slow and short requests: a body shorter than its Content-Length and headers sent a byte a second get 408 or are closed', async () => {
    const shortBody = await raw(['POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":'], 60_000);
    const slowHeaders = await raw(
      'GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n'.split('').flatMap((c) => [c, 1_000]),
      90_000,
    );
    report('Slow and short requests', { 'short body: status': shortBody.status, 'short body: answered after (s)': round(shortBody.ms), 'headers a byte a second: status': slowHeaders.status, 'closed after (s)': round(slowHeaders.ms) });
    expect(shortBody.status).toBe(408);
    expect(shortBody.ms).toBeLessThan(45_000);
    expect([408, null]).toContain(slowHeaders.status);
    expect(slowHeaders.ms).toBeLessThan(45_000);
  });

  it('closes connections that never send a byte', async () => {
    const sockets: Socket[] = [];
    const closed: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.on('error', () => {});
      socket.on('close', () => closed.push(performance.now() - started));
      sockets.push(socket);
    }
    const deadline = Date.now() + 60_000;
    while (closed.length < sockets.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const closedByServer = [...closed];
    for (const socket of sockets) socket.destroy();
    report('200 idle connections that never send a byte', { 'closed by the server': closedByServer.length, 'last closed after (s)': round(Math.max(0, ...closedByServer)) });
    expect(closedByServer.length).toBe(200);
    // And the server still serves.
    expect((await call(`http://127.0.0.1:${port}`, world.account.secret)).status).toBe(200);
  });
});

const round = (ms: number) => Math.round(ms / 100) / 10;
