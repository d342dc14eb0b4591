import { LeanResponse, type HeaderRecord } from './lean-response';
import { WholeBody } from './whole-body';

/**
 * A Response whose body is already whole in memory (a JSON answer, an error): the lean entry
 * (node-adapter.ts) writes its bytes to the socket in one call, with a Content-Length, instead
 * of reading a ReadableStream back chunk by chunk — undici makes a stream of every body at
 * construction, which costs more than the rest of writing the answer. Anyone else (a Next.js
 * route, a test) sees an ordinary Response: `body` becomes a stream on first access, and
 * `json()`, `text()` and `arrayBuffer()` read the bytes directly.
 */
export class BytesResponse extends LeanResponse {
  readonly #body: WholeBody;

  constructor(body: string | Buffer, init: { status: number; headers?: HeaderRecord | Headers }) {
    super(init.status, init.headers);
    this.#body = new WholeBody(body);
  }

  /** The body, for a writer that can send bytes as they are. */
  get payload(): Buffer {
    return this.#body.bytes;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#body.stream;
  }

  override get bodyUsed(): boolean {
    return this.#body.used;
  }

  override async text(): Promise<string> {
    return this.#body.text();
  }

  override async json(): Promise<unknown> {
    return JSON.parse(this.#body.text());
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#body.copy().buffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#body.copy();
  }

  override async blob(): Promise<Blob> {
    return this.#body.blob(this.headers.get('content-type'));
  }

  override async formData(): Promise<FormData> {
    return this.#body.formData(this.headers);
  }

  override clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BytesResponse(this.#body.bytes, { status: this.status, headers: new Headers(this.headers) });
  }
}
