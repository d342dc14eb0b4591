/**
 * A Response whose body is already whole in memory (a JSON answer, an error): the lean entry
 * (node-adapter.ts) writes its bytes to the socket in one call, with a Content-Length, instead
 * of reading a ReadableStream back chunk by chunk — undici makes a stream of every body at
 * construction, which costs more than the rest of writing the answer. Anyone else (a Next.js
 * route, a test) sees an ordinary Response: `body` becomes a stream on first access, and
 * `json()`, `text()` and `arrayBuffer()` read the bytes directly.
 */
export class BytesResponse extends Response {
  readonly #bytes: Buffer;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #used = false;

  constructor(body: string | Buffer, init: ResponseInit) {
    super(null, init);
    this.#bytes = typeof body === 'string' ? Buffer.from(body) : body;
  }

  /** The body, for a writer that can send bytes as they are. */
  get payload(): Buffer {
    return this.#bytes;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const bytes = this.#bytes;
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
    return this.#used;
  }

  override async text(): Promise<string> {
    this.#use();
    return this.#bytes.toString('utf8');
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    this.#use();
    return new Uint8Array(this.#bytes).buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    this.#use();
    return new Uint8Array(this.#bytes);
  }

  override async blob(): Promise<Blob> {
    this.#use();
    return new Blob([new Uint8Array(this.#bytes)], { type: this.headers.get('content-type') ?? '' });
  }

  override async formData(): Promise<FormData> {
    this.#use();
    return new Response(new Uint8Array(this.#bytes), { headers: this.headers }).formData();
  }

  override clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BytesResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: this.headers });
  }

  #use() {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
  }
}
