/**
 * A body held whole in memory and readable once, the way a Request or Response body is: what
 * NodeRequest and BytesResponse share. A stream is only made if someone asks for `stream`
 * (undici would make one up front for every body; see node-request.ts for what that costs).
 */
export class WholeBody {
  readonly bytes: Buffer;
  #used = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;

  constructor(bytes: Buffer | string) {
    this.bytes = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  }

  get used(): boolean {
    return this.#used;
  }

  /** The same stream on every access; reading it uses the body up. */
  get stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#stream ??= new ReadableStream<Uint8Array<ArrayBuffer>>(
      {
        pull: (controller) => {
          this.#use();
          controller.enqueue(new Uint8Array(this.bytes));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return this.#stream;
  }

  text(): string {
    this.#use();
    return this.bytes.toString('utf8');
  }

  copy(): Uint8Array<ArrayBuffer> {
    this.#use();
    return new Uint8Array(this.bytes);
  }

  blob(type: string | null): Blob {
    return new Blob([this.copy()], { type: type ?? '' });
  }

  formData(headers: Headers): Promise<FormData> {
    return new Response(this.copy(), { headers }).formData();
  }

  #use() {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
  }
}
