import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '@/lib/testing/mock-openai';
import { UpstreamTimeoutError, UpstreamUnreachableError } from '../upstream';
import { openAIProvider } from './openai';
import type { ProviderRequest } from './types';

let mock: MockOpenAI;
beforeAll(async () => {
  mock = await startMockOpenAI({ chunkDelayMs: 0 });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.setBehaviour({ type: 'normal' });
  mock.requests.length = 0;
});

const provider = (overrides: { apiKey?: string; timeoutMs?: number; baseUrl?: string } = {}) =>
  openAIProvider({ baseUrl: `${mock.url}/v1`, apiKey: mock.apiKey, timeoutMs: 2_000, ...overrides });

const chat = (overrides: Partial<ProviderRequest> = {}): ProviderRequest => ({
  operation: 'chat',
  upstreamModel: 'gpt-4o-mini',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there friend' }], max_tokens: 10 },
  stream: false,
  signal: new AbortController().signal,
  ...overrides,
});

/** The `data:` payloads of an SSE body. */
async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
}

describe('OpenAI provider', () => {
  it('passes a chat completion through, authenticated with the server key only', async () => {
    const response = await provider().send(chat({ body: { ...chat().body, user: 'end-user-1' } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const json = await response.json();
    expect(json.choices[0].message.content).toBe('Echo: hello there friend');
    // 18 characters / 4 → 5, plus 3 for the one message.
    expect(json.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 });

    const [request] = mock.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request!.headers.authorization).toBe(`Bearer ${mock.apiKey}`);
    expect(request!.body).toEqual({ ...chat().body, user: 'end-user-1' });
  });

  it.each([
    ['completions', '/v1/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'say hi' }],
    ['embeddings', '/v1/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b'] }],
  ] as const)('sends %s to its endpoint', async (operation, path, body) => {
    const response = await provider().send(chat({ operation, body }));
    expect(response.status).toBe(200);
    expect(mock.requests[0]?.path).toBe(path);
    expect((await response.json()).usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams, always asking upstream for the usage chunk', async () => {
    const body = { ...chat().body, stream: true, stream_options: { include_obfuscation: false } };
    const response = await provider().send(chat({ body, stream: true }));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(mock.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_obfuscation: false, include_usage: true } });

    const events = await sseData(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Echo: hello there friend');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 4 } });
  });

  it('passes an OpenAI-shaped upstream error through with its status', async () => {
    const error = { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
    mock.setBehaviour({ type: 'fail', status: 429, body: error });
    const response = await provider().send(chat());
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual(error);
  });

  it.each([
    [502, '<html><body>Bad Gateway</body></html>', 502],
    [500, { detail: 'internal' }, 500],
  ])('wraps a non-OpenAI error body (HTTP %i) in OpenAI shape', async (status, body, expected) => {
    mock.setBehaviour({ type: 'fail', status, body, contentType: 'text/html' });
    const response = await provider().send(chat());
    expect(response.status).toBe(expected);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      error: { message: `OpenAI answered HTTP ${status} without an error description.`, type: 'api_error', param: null, code: 'upstream_error' },
    });
  });

  it('asks for an unencoded body, and refuses a compressed one it cannot meter (502, nothing passed on)', async () => {
    const seen: (string | undefined)[] = [];
    const gzipping = createHttpServer((req, res) => {
      seen.push(req.headers['accept-encoding'], req.headers['user-agent']);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync('{"usage":{"prompt_tokens":3}}'));
    });
    await new Promise<void>((resolve) => gzipping.listen(0, '127.0.0.1', resolve));
    try {
      const response = await provider({ baseUrl: `http://127.0.0.1:${(gzipping.address() as AddressInfo).port}/v1` }).send(chat());
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_error');
      expect(seen).toEqual(['identity', 'Conduit']);
    } finally {
      await new Promise((resolve) => gzipping.close(resolve));
    }
  });

  it('refuses a redirect instead of following it (the key must not travel to another origin)', async () => {
    mock.setBehaviour({ type: 'redirect', location: 'http://127.0.0.1:9/elsewhere' });
    await expect(provider().send(chat())).rejects.toBeInstanceOf(UpstreamUnreachableError);
  });

  it("passes the upstream's 401 through when the server key is wrong", async () => {
    const response = await provider({ apiKey: 'sk-wrong' }).send(chat());
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('invalid_api_key');
  });

  it('answers 503 without calling upstream when no key is configured', async () => {
    const response = await provider({ apiKey: undefined }).send(chat());
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe('provider_not_configured');
    expect(mock.requests).toHaveLength(0);
  });

  it('rejects with UpstreamTimeoutError when headers are slower than timeoutMs', async () => {
    mock.setBehaviour({ type: 'delay', ms: 1_000 });
    await expect(provider({ timeoutMs: 100 }).send(chat())).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('rejects with UpstreamTimeoutError when upstream hangs', async () => {
    mock.setBehaviour({ type: 'hang' });
    await expect(provider({ timeoutMs: 100 }).send(chat())).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('rejects with UpstreamUnreachableError when the connection is refused', async () => {
    const port = await freePort();
    await expect(provider({ baseUrl: `http://127.0.0.1:${port}/v1` }).send(chat())).rejects.toBeInstanceOf(UpstreamUnreachableError);
  });

  it('errors the body stream when upstream drops the connection mid-stream', async () => {
    mock.setBehaviour({ type: 'drop-mid-stream', afterEvents: 2 });
    const response = await provider().send(chat({ body: { ...chat().body, stream: true }, stream: true }));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});

/** A port nothing listens on: bind one, then let it go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
