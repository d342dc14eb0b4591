import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The shared plumbing of the mock upstreams (mock-openai.ts, mock-anthropic.ts): a real HTTP
 * server on an ephemeral port that records every request, and the failure behaviours tests
 * switch on. Node built-ins only, so Playwright and vitest can both load it.
 */

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** How the next requests are answered; `normal` until a test says otherwise. */
export type MockBehaviour =
  | { type: 'normal' }
  /** Answer every request (or the next `times`, then go back to normal) with this status and body (a string is sent as is). */
  | { type: 'fail'; status: number; body: unknown; contentType?: string; times?: number }
  /** Wait before sending headers (to trigger the client's timeout), then answer normally. */
  | { type: 'delay'; ms: number }
  /** Streams only: destroy the socket after this many SSE events. */
  | { type: 'drop-mid-stream'; afterEvents: number }
  /** Never answer; the socket stays open until the client or close() ends it. */
  | { type: 'hang' }
  /** Answer 302 with this Location (an upstream that moved, or one trying to lure the secret away). */
  | { type: 'redirect'; location: string };

export interface MockServer<B = MockBehaviour> {
  /** `http://127.0.0.1:<port>` — no trailing slash, no path. */
  url: string;
  requests: RecordedRequest[];
  setBehaviour(behaviour: B): void;
  close(): Promise<void>;
}

export interface Exchange<B> {
  request: RecordedRequest;
  res: ServerResponse;
  behaviour: B;
}

/** Starts a server whose handler sees each request already recorded and its body parsed. */
export async function startMockServer<B extends { type: string }>(
  initial: B,
  handle: (exchange: Exchange<B>) => Promise<void>,
  // A benchmark sends millions of requests: recording them all would only grow the heap.
  // `port` fixes the port (e2e servers are configured before they start); 0 picks a free one.
  options: { record?: boolean; port?: number } = {},
): Promise<MockServer<B>> {
  const requests: RecordedRequest[] = [];
  let behaviour = initial;
  // A behaviour with `times` serves that many requests, then the mock answers normally again.
  const timesOf = (b: B) => ((b as { times?: unknown }).times as number | undefined);
  let left = timesOf(initial);
  const current = (): B => {
    if (left === undefined) return behaviour;
    const now = behaviour;
    if (--left === 0) [behaviour, left] = [{ type: 'normal' } as unknown as B, undefined];
    return now;
  };
  const server = createServer((req, res) => {
    void (async () => {
      const request = await record(req);
      if (options.record !== false) requests.push(request);
      await handle({ request, res, behaviour: current() });
    })().catch((error: unknown) => {
      // A mock bug must fail the test loudly, not hang it.
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'mock_error' } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBehaviour: (next) => {
      behaviour = next;
      left = timesOf(next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging and streaming responses would otherwise keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: parseBody(text) };
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies the behaviours every endpoint shares. Returns true when the exchange is finished
 * (answered, or left hanging) and the endpoint must not answer.
 */
export async function applyBehaviour(res: ServerResponse, current: { type: string }): Promise<boolean> {
  // Mocks may add behaviours of their own; the shared ones are recognised by `type`.
  const behaviour = current as MockBehaviour;
  if (behaviour.type === 'hang') return true;
  if (behaviour.type === 'delay') await sleep(behaviour.ms);
  if (behaviour.type === 'fail') {
    sendJson(res, behaviour.status, behaviour.body, behaviour.contentType);
    return true;
  }
  if (behaviour.type === 'redirect') {
    res.writeHead(302, { location: behaviour.location }).end();
    return true;
  }
  return false;
}

export interface SseEvent {
  /** The `event:` line (Anthropic names its events; OpenAI does not). */
  event?: string;
  data: string;
}

/**
 * Writes SSE events one by one with a delay between them, the way a model streams. With
 * `dropAfter`, destroys the socket after that many events (a connection lost mid-stream); with
 * `beforeLast`, waits for it before the last event (a test holds the stream open to see that the
 * first events reached the client while the model was still "writing").
 */
export async function streamSse(
  res: ServerResponse,
  events: SseEvent[],
  options: { delayMs: () => number; dropAfter?: number; beforeLast?: () => Promise<void> },
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  for (const [index, { event, data }] of events.entries()) {
    if (index === options.dropAfter) {
      res.destroy();
      return;
    }
    if (index === events.length - 1 && options.beforeLast) await options.beforeLast();
    if (res.destroyed) return;
    res.write(`${event ? `event: ${event}\n` : ''}data: ${data}\n\n`);
    const delay = options.delayMs();
    if (delay > 0 && index < events.length - 1) await sleep(delay);
  }
  res.end();
}

/** A delay picker: a fixed number, uniform in [min, max], or a function (changed at run time). */
export function delayPicker(delay: number | readonly [number, number] | (() => number)): () => number {
  if (typeof delay === 'function') return delay;
  if (typeof delay === 'number') return () => delay;
  const [min, max] = delay;
  return () => min + Math.round(Math.random() * (max - min));
}

/** Words of a text; token counts in the mocks are word counts, deterministic by design. */
export const words = (text: string) => text.split(/\s+/).filter(Boolean);

/** "Tokens" of input text: characters / 4, rounded up. */
export const charTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * Serves a fetch-style handler (`Request → Response`) over real HTTP, so official SDKs can be
 * pointed at code that is not a Next.js route yet (a provider, a handler under test).
 */
export async function startFetchServer(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const controller = new AbortController();
      res.on('close', () => controller.abort());
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        body: hasBody ? Buffer.concat(chunks) : undefined,
        signal: controller.signal,
      });
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      const reader = response.body?.getReader();
      // Chunk by chunk, so a streamed response reaches the client as it is produced.
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) res.write(next.value);
      res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
