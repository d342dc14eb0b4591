import { connect } from 'node:net';
import { afterAll } from 'vitest';
import { serve, type WebHandler } from './node-adapter';

/**
 * Test support: serves handlers through the lean entry's node adapter on loopback, each on its
 * own port, all closed after the file's tests. Returns `served(handler)` → its base URL.
 */
export function adapterServers(): (handler: WebHandler) => Promise<string> {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => Promise.all(servers.map((server) => server.close())));
  return async (handler) => {
    const server = await serve(handler);
    servers.push(server);
    return server.url;
  };
}

/**
 * A raw TCP client for what fetch cannot send (TRACE, absolute-form targets, a body that stops,
 * silence): writes `chunks` (a string, or strings sent `everyMs` apart), then collects what comes
 * back until the server closes the connection or `waitMs` passes.
 */
export function rawExchange(
  url: string,
  chunks: string | string[],
  { waitMs = 5_000, everyMs = 0 }: { waitMs?: number; everyMs?: number } = {},
): Promise<{ text: string; closed: boolean; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(limit);
      clearInterval(timer);
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    const limit = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    socket.on('error', () => {});
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      const parts = typeof chunks === 'string' ? [chunks] : [...chunks];
      if (everyMs === 0) return void socket.write(parts.join(''));
      const next = () => (parts.length > 0 && !socket.destroyed ? socket.write(parts.shift()!) : clearInterval(timer));
      next();
      timer = setInterval(next, everyMs);
    });
  });
}

/** The status and JSON body of the first answer in a raw exchange's text. */
export function firstAnswer(text: string): { status: number; headers: string; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const split = text.indexOf('\r\n\r\n');
  const headers = text.slice(0, split).toLowerCase();
  const length = Number(/content-length: (\d+)/.exec(headers)?.[1] ?? -1);
  const rest = text.slice(split + 4);
  const raw = length >= 0 ? rest.slice(0, length) : headers.includes('transfer-encoding: chunked') ? unchunk(rest) : rest;
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // not JSON: the text itself
  }
  return { status, headers, body };
}

function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const line = text.indexOf('\r\n', at);
    const size = line === -1 ? 0 : parseInt(text.slice(at, line), 16);
    if (!size) return out;
    out += text.slice(line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
}
