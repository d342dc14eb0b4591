import { WholeBody } from './whole-body';

/**
 * The `Request` the lean production entry (node-adapter.ts) hands to the hot-path handlers.
 *
 * undici's Request costs more to build than everything else a gateway request does before it
 * reaches Redis (`npm run bench:profile` of a gateway run showed it among the largest shares): it
 * parses the URL, validates and copies the headers, creates an AbortSignal of its own (and, given
 * one, a dependent signal with weak references and a finalization registry), and turns every body,
 * even a Buffer, into a ReadableStream. The handlers read four things: the method, the URL, the
 * headers and the client's abort signal, then the body once. So this class holds exactly those —
 * the headers as a real Headers object (their semantics are security-relevant: joined repeats,
 * validated names) and a small body the adapter already read whole (a Content-Length it could
 * trust) as bytes that `json()`, `text()` and `arrayBuffer()` answer from. Anything else a
 * Request has — a streamed upload's body, cache mode, referrer… — comes from a real Request built
 * the first time something asks. It answers everything a Request answers; what it is not is an
 * instance of undici's class: `instanceof Request`, `new Request(it)` and `fetch(it)` do not take
 * it (nothing on the hot path does that; build a Request from its fields if ever needed).
 */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

export class NodeRequest implements Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly #signal: AbortSignal;
  readonly #whole: WholeBody | undefined;
  readonly #stream: ReadableStream<Uint8Array> | undefined;
  readonly #target: string;
  #real: Request | undefined;

  constructor(
    url: string,
    init: { method: string; headers: [string, string][] | Headers; body?: ReadableStream<Uint8Array> },
    options: { signal: AbortSignal; bytes?: Buffer; target: string },
  ) {
    // As the Fetch standard (and undici's Request) would: these are never a request to hand on.
    if (FORBIDDEN_METHODS.has(init.method.toUpperCase())) throw new TypeError(`'${init.method}' HTTP method is unsupported.`);
    this.method = init.method;
    this.url = url;
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.#stream = init.body;
    this.#signal = options.signal;
    this.#whole = options.bytes ? new WholeBody(options.bytes) : undefined;
    this.#target = options.target;
  }

  /** The full Request, for what the hot path never reads (built once, on first use). */
  #request(): Request {
    this.#real ??= new Request(this.url, {
      method: this.method,
      headers: this.headers,
      signal: this.#signal,
      ...(this.#stream ? { body: this.#stream, duplex: 'half' } : {}),
    } as RequestInit);
    return this.#real;
  }

  get [Symbol.toStringTag](): string {
    return 'Request';
  }

  /** As undici's Request: a body is only ever read as it arrives. */
  get duplex(): 'half' {
    return 'half';
  }

  /** Aborts when the client disconnects before the response is complete. */
  get signal(): AbortSignal {
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
    return this.#whole?.bytes;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#whole) return this.#whole.stream;
    return this.#stream ? this.#request().body : null;
  }

  get bodyUsed(): boolean {
    if (this.#whole) return this.#whole.used;
    return this.#stream ? this.#request().bodyUsed : false;
  }

  async text(): Promise<string> {
    return this.#whole ? this.#whole.text() : this.#request().text();
  }

  async json(): Promise<unknown> {
    return this.#whole ? JSON.parse(this.#whole.text()) : this.#request().json();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#whole ? this.#whole.copy().buffer : this.#request().arrayBuffer();
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#whole ? this.#whole.copy() : this.#request().bytes();
  }

  async blob(): Promise<Blob> {
    return this.#whole ? this.#whole.blob(this.headers.get('content-type')) : this.#request().blob();
  }

  async formData(): Promise<FormData> {
    return this.#whole ? this.#whole.formData(this.headers) : this.#request().formData();
  }

  clone(): Request {
    if (!this.#whole) return this.#request().clone();
    if (this.bodyUsed) throw new TypeError('Request.clone: Body has already been consumed.');
    return new NodeRequest(this.url, { method: this.method, headers: new Headers(this.headers) }, { signal: this.#signal, bytes: this.#whole.bytes, target: this.#target });
  }

  get cache(): RequestCache {
    return this.#request().cache;
  }

  get credentials(): RequestCredentials {
    return this.#request().credentials;
  }

  get destination(): RequestDestination {
    return this.#request().destination;
  }

  get integrity(): string {
    return this.#request().integrity;
  }

  get keepalive(): boolean {
    return this.#request().keepalive;
  }

  get mode(): RequestMode {
    return this.#request().mode;
  }

  get redirect(): RequestRedirect {
    return this.#request().redirect;
  }

  get referrer(): string {
    return this.#request().referrer;
  }

  get referrerPolicy(): ReferrerPolicy {
    return this.#request().referrerPolicy;
  }
}

/** The body the adapter already read whole, if it did (see NodeRequest). */
export const bufferedBody = (request: Request): Buffer | undefined => (request instanceof NodeRequest ? request.bufferedBody : undefined);

/** The request target as the client sent it, when served by the lean entry. */
export const rawTarget = (request: Request): string | undefined => (request instanceof NodeRequest ? request.rawTarget : undefined);
