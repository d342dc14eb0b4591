/**
 * The `Request` the lean production entry (node-adapter.ts) hands to the hot-path handlers.
 *
 * Two parts of undici's Request cost more than everything else a gateway request does before
 * it reaches Redis (measured on Node 20: ~100 µs of CPU per request out of ~1 ms):
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
  readonly #bytes: Buffer | undefined;
  readonly #target: string;
  #used = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;

  constructor(url: string, init: RequestInit & { duplex?: 'half' }, options: { signal: AbortSignal; bytes?: Buffer; target: string }) {
    super(url, init);
    this.#signal = options.signal;
    this.#bytes = options.bytes;
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
    return this.#bytes;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    const bytes = this.#bytes;
    if (!bytes) return super.body;
    // Made on first access, the same stream every time after; it counts as used once read.
    this.#stream ??= new ReadableStream<Uint8Array<ArrayBuffer>>(
      {
        pull: (controller) => {
          this.#use();
          controller.enqueue(new Uint8Array(bytes));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#bytes ? this.#used : super.bodyUsed;
  }

  override async text(): Promise<string> {
    if (!this.#bytes) return super.text();
    this.#use();
    return this.#bytes.toString('utf8');
  }

  override async json(): Promise<unknown> {
    return this.#bytes ? JSON.parse(await this.text()) : super.json();
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    if (!this.#bytes) return super.arrayBuffer();
    this.#use();
    return new Uint8Array(this.#bytes).buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (!this.#bytes) return super.bytes();
    this.#use();
    return new Uint8Array(this.#bytes);
  }

  override async blob(): Promise<Blob> {
    if (!this.#bytes) return super.blob();
    this.#use();
    return new Blob([new Uint8Array(this.#bytes)], { type: this.headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    if (!this.#bytes) return super.formData();
    this.#use();
    return new Response(new Uint8Array(this.#bytes), { headers: this.headers }).formData();
  }

  override clone(): Request {
    if (!this.#bytes) return super.clone();
    if (this.bodyUsed) throw new TypeError('Request.clone: Body has already been consumed.');
    return new NodeRequest(this.url, { method: this.method, headers: this.headers }, { signal: this.#signal, bytes: this.#bytes, target: this.#target });
  }

  #use() {
    // A body is read once, as with any Request.
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
  }
}

/** The body the adapter already read whole, if it did (see NodeRequest). */
export const bufferedBody = (request: Request): Buffer | undefined => (request instanceof NodeRequest ? request.bufferedBody : undefined);

/** The request target as the client sent it, when served by the lean entry. */
export const rawTarget = (request: Request): string | undefined => (request instanceof NodeRequest ? request.rawTarget : undefined);
