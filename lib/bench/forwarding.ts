import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agent } from 'undici';

/**
 * What the bench's forwarders (bare-forwarder.ts, guarded-forwarder.ts) share: reading the
 * client's body, and relaying the upstream's answer with undici's `request()` chunk by chunk.
 */

/** The client's whole body (the forwarders send it on in one piece, as Conduit does for chat bodies). */
export async function readAll(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (Buffer.concat(chunks) as Uint8Array<ArrayBuffer>) : undefined;
}

/**
 * POSTs `body` to the upstream with `request()` and writes its answer to `res` chunk by chunk,
 * waiting for 'drain' as a real proxy would — all but the end, which the caller writes (the
 * guarded forwarder settles first). Resolves with the upstream's status.
 */
export async function relayViaRequest(
  agent: Agent,
  upstream: { origin: string; headers: Record<string, string> },
  req: IncomingMessage,
  body: Uint8Array<ArrayBuffer> | undefined,
  res: ServerResponse,
): Promise<number> {
  const answer = await agent.request({ origin: upstream.origin, path: req.url!, method: 'POST', headers: upstream.headers, body });
  res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
  for await (const chunk of answer.body) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  return answer.statusCode;
}
