import { WholeBody } from './whole-body';

/**
 * The `Request` the lean production entry (node-adapter.ts) hands to the hot-path handlers.
 *
 * Two parts of undici's Request cost more than everything else a gateway request does before
 * it reaches Redis (`npm run bench:profile` of a gateway run showed them among its largest shares):
 * - following a `signal` passed to the constructor (a dependent AbortSignal, weak references
 *   and a finalization registry, per request), and
 * - a body: every body, even a Buffer, becomes a ReadableStream at construction, and
 *   `json()` then reads it back chunk by chunk.
 * So this subclass keeps the client's abort signal itself, and a body the adapter already
 * holds whole (small ones, with a Content-Length) as bytes: `json()`, `text()` and
 * `arrayBuffer()` answer from them, and `body` makes a stream only when someone asks for one.
 * It is still a Request in every way the handlers and their tests rely on.
 */
export class NodeRequest extends Request {
  readonly #signal: AbortSignal;
  readonly #body: WholeBody | undefined;
  readonly #target: string;

  constructor(url: string, init: RequestInit & { duplex?: 'half' }, options: { signal: AbortSignal; bytes?: Buffer; target: string }) {
    super(url, init);
    this.#signal = options.signal;
    this.#body = options.bytes ? new WholeBody(options.bytes) : undefined;
    this.#target = options.target;
  }

  /** Aborts when the client disconnects before the response is complete. */
  override get signal(): AbortSignal {
    return this.#signal;
  }

  /**
   * The request target exactly as the client sent it. `new URL()` resolves `.`/`..` and `%2e`
   * segments silently; the proxy must see them to refuse ambiguous paths (lib/proxy/path.ts).
   */
  get rawTarget(): string {
    return this.#target;
  }

  /** The whole body, when the adapter read it before calling the handler. */
  get bufferedBody(): Buffer | undefined {
    return this.#body?.bytes;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#body ? this.#body.stream : super.body;
  }

  override get bodyUsed(): boolean {
    return this.#body ? this.#body.used : super.bodyUsed;
  }

  override async text(): Promise<string> {
    return this.#body ? this.#body.text() : super.text();
  }

  override async json(): Promise<unknown> {
    return this.#body ? JSON.parse(this.#body.text()) : super.json();
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#body ? this.#body.copy().buffer : super.arrayBuffer();
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#body ? this.#body.copy() : super.bytes();
  }

  override async blob(): Promise<Blob> {
    return this.#body ? this.#body.blob(this.headers.get('content-type')) : super.blob();
  }

  override async formData(): Promise<FormData> {
    return this.#body ? this.#body.formData(this.headers) : super.formData();
  }

  override clone(): Request {
    if (!this.#body) return super.clone();
    if (this.bodyUsed) throw new TypeError('Request.clone: Body has already been consumed.');
    return new NodeRequest(this.url, { method: this.method, headers: this.headers }, { signal: this.#signal, bytes: this.#body.bytes, target: this.#target });
  }
}

/** The body the adapter already read whole, if it did (see NodeRequest). */
export const bufferedBody = (request: Request): Buffer | undefined => (request instanceof NodeRequest ? request.bufferedBody : undefined);

/** The request target as the client sent it, when served by the lean entry. */
export const rawTarget = (request: Request): string | undefined => (request instanceof NodeRequest ? request.rawTarget : undefined);
