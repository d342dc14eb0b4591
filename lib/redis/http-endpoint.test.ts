import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisHttpHandler } from './http-endpoint';
import { embeddedRunner } from './runners';

// The protocol edges of the REST endpoint, against the embedded store (no Redis server needed).
// The end-to-end behaviour with the real @upstash/redis client is in contract.test.ts.

const TOKEN = 'test-token-0123456789abcdef';
const handler = createRedisHttpHandler({ runner: embeddedRunner(), token: TOKEN });
const prefix = `conduit-http-test:${randomUUID()}:`;
const key = (suffix: string) => `${prefix}${suffix}`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return handler(
    new Request(`http://redis.test${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

async function answer(response: Promise<Response>) {
  const res = await response;
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown };
}

afterAll(async () => {
  const keys = (await (await post('/', ['keys', `${prefix}*`])).json()) as { result: string[] };
  if (keys.result.length > 0) await post('/', ['del', ...keys.result]);
});

describe('Redis REST endpoint: authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 10)}`],
    ['the token without the Bearer scheme', TOKEN],
    ['Basic auth', `Basic ${b64(`user:${TOKEN}`)}`],
  ])('answers 401 to %s', async (_, authorization) => {
    const headers = new Headers({ 'content-type': 'application/json' });
    if (authorization) headers.set('authorization', authorization);
    const res = await handler(new Request('http://redis.test/', { method: 'POST', headers, body: '["ping"]' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Unauthorized' });
  });

  it('accepts the right token', async () => {
    expect(await answer(post('/', ['ping']))).toEqual({ status: 200, type: 'application/json', body: { result: 'PONG' } });
  });
});

describe('Redis REST endpoint: request validation', () => {
  it.each([
    ['malformed JSON', '/', '["set", "k"'],
    ['an empty body', '/', ''],
    ['an object instead of an array', '/', { command: 'get' }],
    ['an empty command', '/', []],
    ['a nested array as argument', '/', ['get', ['k']]],
    ['a pipeline that is not an array of arrays', '/pipeline', ['get', 'k']],
    ['an empty pipeline', '/multi-exec', []],
  ])('answers 400 with a JSON error to %s', async (_, path, body) => {
    const { status, body: json } = await answer(post(path, body));
    expect(status).toBe(400);
    expect(json).toEqual({ error: expect.stringMatching(/^ERR /) });
  });

  it('answers 404 to an unknown path and 405 to GET', async () => {
    expect((await post('/get/k', ['get', 'k'])).status).toBe(404);
    const get = await handler(new Request('http://redis.test/', { headers: { authorization: `Bearer ${TOKEN}` } }));
    expect(get.status).toBe(405);
  });

  it('refuses commands that would hold or change the shared connection', async () => {
    expect(await answer(post('/', ['multi']))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/not supported/) } });
    const { body } = await answer(post('/pipeline', [['ping'], ['subscribe', 'news'], ['blpop', key('q'), '0']]));
    expect(body).toEqual([{ result: 'PONG' }, { error: expect.stringMatching(/not supported/) }, { error: expect.stringMatching(/not supported/) }]);
    expect(await answer(post('/multi-exec', [['incr', key('n')], ['watch', key('n')]]))).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^EXECABORT/) },
    });
  });

  it('reports unknown commands, and discards a transaction that contains one', async () => {
    expect(await answer(post('/', ['nosuchcommand', 'x']))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^ERR unknown command/) } });
    const tx = await answer(post('/multi-exec', [['incr', key('discarded')], ['nosuchcommand']]));
    expect(tx).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^EXECABORT .*unknown command/) } });
    expect((await answer(post('/', ['get', key('discarded')]))).body).toEqual({ result: null });
  });
});

describe('Redis REST endpoint: Upstash-Encoding: base64', () => {
  const base64 = { 'upstash-encoding': 'base64' };

  it('encodes string results but leaves "OK", integers and nil alone', async () => {
    expect((await answer(post('/', ['set', key('greeting'), 'héllo 🚀'], base64))).body).toEqual({ result: 'OK' });
    expect((await answer(post('/', ['get', key('greeting')], base64))).body).toEqual({ result: b64('héllo 🚀') });
    expect((await answer(post('/', ['incr', key('count')], base64))).body).toEqual({ result: 1 });
    expect((await answer(post('/', ['get', key('missing')], base64))).body).toEqual({ result: null });
  });

  it('sends plain strings without the header', async () => {
    expect((await answer(post('/', ['get', key('greeting')]))).body).toEqual({ result: 'héllo 🚀' });
  });

  it('encodes every string inside arrays, recursively, including a stored "OK"', async () => {
    await post('/', ['set', key('ok'), 'OK']);
    const mget = await answer(post('/', ['mget', key('greeting'), key('ok'), key('missing')], base64));
    expect(mget.body).toEqual({ result: [b64('héllo 🚀'), b64('OK'), null] });
    const script = await answer(post('/', ['eval', 'return {1, {"a", 2}}', '0'], base64));
    expect(script.body).toEqual({ result: [1, [b64('a'), 2]] });
  });

  it('encodes each pipeline and transaction result; errors stay readable', async () => {
    const commands = [['set', key('p'), 'v'], ['get', key('p')], ['incr', key('p')]];
    for (const path of ['/pipeline', '/multi-exec']) {
      const { status, body } = await answer(post(path, commands, base64));
      expect(status).toBe(200);
      expect(body).toEqual([{ result: 'OK' }, { result: b64('v') }, { error: 'ERR value is not an integer or out of range' }]);
    }
    const failed = await answer(post('/', ['incr', key('p')], base64));
    expect(failed).toMatchObject({ status: 400, body: { error: 'ERR value is not an integer or out of range' } });
  });
});
