import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { closeGracefully, type ServerLimits } from './http-server';
import { serve, type WebHandler } from './node-adapter';
import { firstAnswer, rawExchange } from './testing';

// Hostile requests and connections against the server every entry listens with, over raw TCP:
// each is answered in OpenAI's error shape, or closed, within its bound — never left hanging.

const FAST: Partial<ServerLimits> = { headersTimeoutMs: 1_000, stallTimeoutMs: 500, keepAliveTimeoutMs: 400, checkIntervalMs: 100 };

const closers: (() => Promise<void>)[] = [];
afterAll(async () => Promise.all(closers.map((close) => close())));

async function served(handler: WebHandler, limits: Partial<ServerLimits> = FAST) {
  const server = await serve(handler, 0, '127.0.0.1', limits);
  closers.push(server.close);
  return server;
}

const echo: WebHandler = async (request) => Response.json({ method: request.method, body: request.body ? (await request.text()).length : null });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectRefusal(text: string, status: number, code: string) {
  const answer = firstAnswer(text);
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code } });
  return answer;
}

describe('requests no handler may see', () => {
  it('answers TRACE, TRACK and CONNECT 405 with Allow, and closes', async () => {
    let called = 0;
    const { url } = await served(async () => {
      called++;
      return new Response('echo');
    });
    for (const head of ['TRACE /v1/models HTTP/1.1', 'TRACE /proxy/l1/x HTTP/1.1', 'TRACK /v1/models HTTP/1.1', 'CONNECT evil.example:443 HTTP/1.1']) {
      const { text, closed } = await rawExchange(url, `${head}\r\nHost: x\r\n\r\n`);
      const answer = expectRefusal(text, 405, 'method_not_allowed');
      expect(answer.headers).toContain('allow: get, head, post, put, patch, delete, options');
      expect(closed).toBe(true);
    }
    expect(called).toBe(0);
  });

  it('refuses a target that is not a path (an absolute-form one would be an open redirect) with 400', async () => {
    const { url } = await served(echo);
    for (const target of ['http://evil.example/v1/models', 'https://evil.example/login', 'http://127.0.0.1/proxy/l1/x', '*']) {
      const { text, closed } = await rawExchange(url, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const answer = expectRefusal(text, 400, 'invalid_request_target');
      expect(answer.headers).not.toContain('location');
      expect(closed).toBe(true);
    }
    // What node:http cannot even parse as a target is a 400 all the same.
    expectRefusal((await rawExchange(url, 'GET evil.example HTTP/1.1\r\nHost: x\r\n\r\n')).text, 400, 'invalid_http');
    // The asterisk-form is OPTIONS' own: the server's methods.
    const { text } = await rawExchange(url, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 500 });
    expect(firstAnswer(text).status).toBe(204);
    expect(firstAnswer(text).headers).toContain('allow: get, head');
  });

  it('answers what node:http cannot parse in the same shape: 400, 431', async () => {
    const { url } = await served(echo);
    expectRefusal((await rawExchange(url, 'GET /x HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')).text, 400, 'invalid_http');
    expectRefusal((await rawExchange(url, `GET /x HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`)).text, 431, 'request_header_fields_too_large');
  });
});

describe('connection bounds', () => {
  it('answers slow headers 408 and closes within the head timeout', async () => {
    const { url } = await served(echo);
    const head = 'GET /x HTTP/1.1\r\nHost: x\r\nX-Slow: '.split('');
    const { text, closed, ms } = await rawExchange(url, head, { everyMs: 100, waitMs: 5_000 });
    expectRefusal(text, 408, 'request_timeout');
    expect(closed).toBe(true);
    expect(ms).toBeLessThan(2_000);
  });

  it('closes a connection that never sends a byte', async () => {
    const { url } = await served(echo);
    const { closed, ms } = await rawExchange(url, [], { waitMs: 5_000 });
    expect(closed).toBe(true);
    expect(ms).toBeLessThan(2_000);
  });

  it('answers a body shorter than its Content-Length 408 and closes', async () => {
    let called = false;
    const { url } = await served(async (request) => {
      called = true;
      return echo(request);
    });
    const { text, closed, ms } = await rawExchange(url, 'POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc', { waitMs: 5_000 });
    expectRefusal(text, 408, 'request_timeout');
    expect(closed).toBe(true);
    expect(ms).toBeLessThan(1_500);
    // A small body is read whole before the handler runs: it never saw a partial one.
    expect(called).toBe(false);
  });

  it('answers a large streamed body that stops 408 too, and its handler sees the client leave', async () => {
    let aborted = false;
    const { url } = await served(async (request) => {
      request.signal.addEventListener('abort', () => (aborted = true));
      return echo(request);
    });
    const { text, closed } = await rawExchange(url, `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`, { waitMs: 5_000 });
    expectRefusal(text, 408, 'request_timeout');
    expect(closed).toBe(true);
    await expect.poll(() => aborted).toBe(true);
  });

  it('does the same for a streamed (chunked) body that stops', async () => {
    const { url } = await served(echo);
    const { text, closed } = await rawExchange(url, 'POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', { waitMs: 5_000 });
    expectRefusal(text, 408, 'request_timeout');
    expect(closed).toBe(true);
  });

  it('lets a slow body through as long as it keeps coming', async () => {
    const { url } = await served(echo);
    const body = 'x'.repeat(12);
    const chunks = [`POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, ...body.split('')];
    // 12 bytes 150 ms apart: 1.8 s in all, over three times the 500 ms idle bound.
    const { text } = await rawExchange(url, chunks, { everyMs: 150, waitMs: 5_000 });
    expect(firstAnswer(text)).toMatchObject({ status: 200, body: { method: 'POST', body: 12 } });
  });

  it('does not count a body Conduit is slow to read (an upstream taking an upload slowly) as idle', async () => {
    const { url } = await served(async (request) => {
      // Stops reading the 1 MB upload for 1.2 s after its first chunk (the client waits on
      // Conduit meanwhile, over twice the idle bound), then reads the rest.
      const reader = request.body!.getReader();
      let length = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (length === 0) await sleep(1_200);
        length += value.byteLength;
      }
      return Response.json({ length });
    });
    const upload = Buffer.alloc(1024 * 1024, 'x');
    const response = await fetch(url, { method: 'POST', body: upload });
    expect(await response.json()).toEqual({ length: upload.byteLength });
  });

  it('never cuts an answer the upstream is slow to begin or to go on with', async () => {
    const { url } = await served(async () => {
      await sleep(1_200); // a slow first byte, over twice the idle bound
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const word of ['data: a\n\n', 'data: b\n\n', 'data: [DONE]\n\n']) {
            controller.enqueue(encoder.encode(word));
            await sleep(700); // and long pauses between events
          }
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const response = await fetch(url, { method: 'POST', body: '{"stream":true}' });
    expect(await response.text()).toBe('data: a\n\ndata: b\n\ndata: [DONE]\n\n');
  });

  it('cuts an answer the client stops reading, and the handler sees the client leave', async () => {
    let cancelled = false;
    const { url } = await served(async () => {
      const chunk = new Uint8Array(64 * 1024);
      // Endless: only the client leaving ends it.
      const body = new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(chunk), cancel: () => void (cancelled = true) });
      return new Response(body);
    });
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write('GET /download HTTP/1.1\r\nHost: x\r\n\r\n'));
    socket.pause(); // never reads (and, paused, never sees the close either)
    socket.on('error', () => {});
    const started = Date.now();
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    socket.destroy();
  });

  it('does not cut a client that reads slowly but keeps reading', async () => {
    let cancelled = false;
    const { url } = await served(async () => {
      const chunk = new Uint8Array(64 * 1024);
      // Endless, so the socket stays full and every write waits on the client.
      const body = new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(chunk), cancel: () => void (cancelled = true) });
      return new Response(body);
    }, { ...FAST, stallTimeoutMs: 1_000 });
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write('GET /x HTTP/1.1\r\nHost: x\r\n\r\n'));
    socket.on('error', () => {});
    let closedByServer = false;
    socket.on('close', () => (closedByServer = true));
    // One read every 50 ms (about 1.3 MB/s) for 3 s, three times the stall bound. The server sees
    // it in bursts (on loopback, a window of a megabyte or more reopening about every second).
    socket.on('data', () => socket.pause());
    const pace = setInterval(() => socket.resume(), 50);
    await sleep(3_000);
    clearInterval(pace);
    expect({ closedByServer, cancelled }).toEqual({ closedByServer: false, cancelled: false });
    socket.destroy();
    await expect.poll(() => cancelled).toBe(true);
  });

  it('closes a keep-alive connection left idle', async () => {
    const { url } = await served(echo);
    const { text, closed, ms } = await rawExchange(url, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 5_000 });
    expect(firstAnswer(text).status).toBe(200);
    expect(closed).toBe(true);
    expect(ms).toBeLessThan(1_500);
  });

  it('closes connections past the cap as they arrive', async () => {
    const { url } = await served(echo, { ...FAST, maxConnections: 2 });
    const held = [rawExchange(url, [], { waitMs: 800 }), rawExchange(url, [], { waitMs: 800 })];
    await sleep(100);
    const third = await rawExchange(url, [], { waitMs: 800 });
    expect(third).toMatchObject({ closed: true, text: '' });
    expect(third.ms).toBeLessThan(400);
    expect((await Promise.all(held)).map((socket) => socket.closed)).toEqual([false, false]);
  });
});

describe('closeGracefully', () => {
  it('lets a stream in flight finish, refuses new connections, closes idle ones and says Connection: close', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, url } = await served(async (request) => {
      if (new URL(request.url).pathname === '/quick') return Response.json({ ok: true });
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('data: first\n\n'));
          await released;
          controller.enqueue(encoder.encode('data: last\n\n'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }, { ...FAST, keepAliveTimeoutMs: 60_000 });
    const { port } = new URL(url);

    const idle = rawExchange(url, 'GET /quick HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 5_000 });
    // A keep-alive client whose next request comes just after the shutdown began.
    const busy = rawExchange(url, ['GET /quick HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /quick HTTP/1.1\r\nHost: x\r\n\r\n'], { everyMs: 400, waitMs: 5_000 });
    const stream = new Promise<{ text: string; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/stream' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ text, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    await sleep(200);

    const closing = closeGracefully(server, 5_000);
    await sleep(50);
    const refused = await fetch(`${url}/quick`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).toBe('refused');
    // The idle keep-alive connection is closed (after a second's grace); the stream goes on.
    expect((await idle).closed).toBe(true);
    // The busy one is answered, told it is the last answer, and closed.
    const answers = (await busy).text.split('HTTP/1.1 ').slice(1);
    expect(answers.map((answer) => answer.slice(0, 3))).toEqual(['200', '200']);
    expect(answers[0]).toMatch(/connection: keep-alive/i);
    expect(answers[1]).toMatch(/connection: close/i);
    expect((await busy).closed).toBe(true);
    release();
    expect((await stream).text).toBe('data: first\n\ndata: last\n\n');
    expect(await closing).toEqual({ cut: 0 });
  });

  it('cuts what is still running at the deadline', async () => {
    const { server, url } = await served(async () => new Response(new ReadableStream({ start: (controller) => controller.enqueue(new Uint8Array([97])) })));
    const response = await fetch(url);
    const reading = response.text().then(
      () => 'ended',
      () => 'cut',
    );
    expect(await closeGracefully(server, 300)).toEqual({ cut: 1 });
    expect(await reading).toBe('cut');
  });
});
