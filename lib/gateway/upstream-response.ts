import 'server-only';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { LeanResponse, type HeaderRecord } from '@/lib/server/lean-response';

type UpstreamBody = Dispatcher.ResponseData['body'];

/**
 * An upstream's answer as undici's `request()` gives it — a status, the raw headers, the body as
 * a Node stream — seen as an ordinary Response. Nothing is converted until someone asks:
 * `headers` becomes a Headers object on first access (see LeanResponse), `body` a ReadableStream; `text()`,
 * `json()` and `bytes()` read the Node stream directly; and a relay (RelayResponse) reads
 * `source` itself, so a relayed answer never becomes a web stream at all. See upstream.ts for
 * why the hot paths leave fetch() for `request()`.
 */
export class UpstreamResponse extends LeanResponse {
  readonly #body: UpstreamBody;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;

  constructor(status: number, headers: HeaderRecord, body: UpstreamBody) {
    super(status, headers);
    // A body nobody reads can still fail later (a reset, undici's body timeout): with no listener
    // that error would be uncaught and end the process. Readers see errors their own way.
    body.on('error', () => {});
    this.#body = body;
  }

  /** Drops the body unread; undici aborts the request (or reuses the connection if it had ended). */
  discard(): void {
    this.#body.destroy();
  }

  /** The body as undici's Node stream: what a relay reads. */
  get source(): Readable {
    return this.#body;
  }

  /** The same answer under other headers (the body is handed over, not copied). */
  withHeaders(headers: Record<string, string>): UpstreamResponse {
    return new UpstreamResponse(this.status, headers, this.#body);
  }

  /** A stream over the Node one, made once; cancelling it destroys the Node stream (undici's own getter would not). */
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return (this.#stream ??= Readable.toWeb(this.#body) as ReadableStream<Uint8Array<ArrayBuffer>>);
  }

  override get bodyUsed(): boolean {
    return this.#body.bodyUsed;
  }

  override text(): Promise<string> {
    return this.#body.text();
  }

  override json(): Promise<unknown> {
    return this.#body.json();
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#body.arrayBuffer();
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.#body.arrayBuffer());
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.#body.arrayBuffer()], { type: this.header('content-type') ?? '' });
  }

  override formData(): Promise<FormData> {
    return new Response(this.body, { headers: this.headers }).formData();
  }

  override clone(): Response {
    throw new TypeError('An upstream response cannot be cloned: its body is read once.');
  }
}

/** Drops any Response's body unread (an UpstreamResponse's without making a stream of it). */
export async function discardBody(response: Response): Promise<void> {
  if (response instanceof UpstreamResponse) response.discard();
  else await response.body?.cancel().catch(() => {});
}

/** What a relay reads from a provider's or an upstream's answer: undici's Node stream when there is one. */
export function relaySource(response: Response): Readable | ReadableStream<Uint8Array> | null {
  return response instanceof UpstreamResponse ? response.source : response.body;
}
