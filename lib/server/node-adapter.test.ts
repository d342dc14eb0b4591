import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BytesResponse } from './bytes-response';
import { bufferedBody, NodeRequest } from './node-request';
import { adapterServers } from './testing';

// The lean entry's Node ⇄ Web bridge: what a handler sees of the client's request.

const served = adapterServers();

describe('the node adapter', () => {
  it('hands a small body over whole, readable as JSON, text or a stream, once', async () => {
    const url = await served(async (request) => {
      const buffered = bufferedBody(request) !== undefined;
      const copy = request.clone();
      const json = await request.json();
      const again = await request.text().then(
        () => 'read twice',
        (error: Error) => error.name,
      );
      const streamed = await new Response(copy.body).text();
      return Response.json({ buffered, json, again, streamed, used: request.bodyUsed });
    });
    const response = await fetch(url, { method: 'POST', body: JSON.stringify({ model: 'm', n: 1 }) });
    expect(await response.json()).toEqual({ buffered: true, json: { model: 'm', n: 1 }, again: 'TypeError', streamed: '{"model":"m","n":1}', used: true });
  });

  it('streams a large or chunked body instead of holding it', async () => {
    const url = await served(async (request) => {
      const text = await request.text();
      return Response.json({ buffered: bufferedBody(request) !== undefined, length: text.length });
    });
    const large = 'x'.repeat(300 * 1024);
    expect(await (await fetch(url, { method: 'POST', body: large })).json()).toEqual({ buffered: false, length: large.length });
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('ab'));
        controller.enqueue(new TextEncoder().encode('cd'));
        controller.close();
      },
    });
    // @ts-expect-error -- duplex is missing from the DOM types
    const response = await fetch(url, { method: 'POST', body: chunked, duplex: 'half' });
    expect(await response.json()).toEqual({ buffered: false, length: 4 });
  });

  it('answers everything else a Request has as a Request would', async () => {
    const url = await served(async (request) => {
      const plain = new Request(request.url, { method: request.method, headers: request.headers });
      const fields = ['method', 'url', 'cache', 'credentials', 'destination', 'integrity', 'keepalive', 'mode', 'redirect', 'referrer', 'referrerPolicy'] as const;
      return Response.json({
        differ: fields.filter((field) => request[field] !== plain[field]),
        headers: [...request.headers],
        aborted: request.signal.aborted,
        body: request.body === null,
      });
    });
    const response = await fetch(`${url}/x?q=1`, { headers: { 'X-Custom': 'a', 'x-custom-2': 'b' } });
    expect(await response.json()).toEqual({
      differ: [],
      headers: expect.arrayContaining([['x-custom', 'a'], ['x-custom-2', 'b']]),
      aborted: false,
      body: true,
    });
  });

  it('never hands a TRACE to a handler, as a Request could not hold one', async () => {
    let called = false;
    const url = await served(async () => {
      called = true;
      return new Response('echo');
    });
    const { port } = new URL(url);
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'TRACE', path: '/x' }, (res) => resolve(`HTTP ${res.statusCode}`));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      req.end();
    });
    expect(outcome).not.toMatch(/^HTTP 2/);
    expect(called).toBe(false);
  });

  it('keeps the raw target and appends the TCP peer to X-Forwarded-For', async () => {
    const url = await served(async (request) =>
      Response.json({ raw: request instanceof NodeRequest ? request.rawTarget : null, xff: request.headers.get('x-forwarded-for'), url: request.url }),
    );
    const { port } = new URL(url);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/a/%2e%2e/b', headers: { 'x-forwarded-for': '203.0.113.9' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ raw: '/a/%2e%2e/b', xff: '203.0.113.9, 127.0.0.1', url: `${url}/b` });
  });

  it('aborts the request signal when the client hangs up', async () => {
    let aborted: Promise<boolean> | undefined;
    const url = await served(async (request) => {
      aborted = new Promise((resolve) => request.signal.addEventListener('abort', () => resolve(true)));
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return new Response('late');
    });
    const client = new AbortController();
    const pending = fetch(url, { method: 'POST', body: '{}', signal: client.signal }).catch(() => 'gone');
    await expect.poll(() => aborted !== undefined).toBe(true);
    client.abort();
    expect(await pending).toBe('gone');
    expect(await aborted).toBe(true);
  });

  it('writes a whole-body response in one piece, with its length, status and headers', async () => {
    const url = await served(async () => new BytesResponse('{"ok":"é"}', { status: 201, headers: { 'content-type': 'application/json', 'x-a': '1' } }));
    const response = await fetch(url);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength('{"ok":"é"}')));
    expect(response.headers.get('x-a')).toBe('1');
    expect(await response.json()).toEqual({ ok: 'é' });
  });
});

describe('BytesResponse', () => {
  it('reads like any Response, once', async () => {
    const response = new BytesResponse('{"a":1}', { status: 200, headers: { 'content-type': 'application/json' } });
    const copy = response.clone();
    expect(await response.json()).toEqual({ a: 1 });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(await new Response(copy.body).text()).toBe('{"a":1}');
    expect(await new BytesResponse(Buffer.from('xy'), { status: 200 }).arrayBuffer()).toEqual(new Uint8Array([120, 121]).buffer);
  });
});
