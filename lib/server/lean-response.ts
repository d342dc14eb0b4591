/**
 * The base of the hot paths' Responses (BytesResponse, RelayResponse, UpstreamResponse): the
 * status and headers are kept as given — a plain record is never copied into a Headers object
 * unless someone reads `headers`. undici validates and copies every header at construction (and
 * sorts them again when they are read back): for a gateway answer with its rate-limit headers
 * that was more CPU than writing the answer. The lean entry (node-adapter.ts) reads
 * `headerRecord()`; everyone else sees an ordinary Response.
 */

/** Header names in lower case; a list for a repeated header (Set-Cookie). Taken over, not copied. */
export type HeaderRecord = Record<string, string | string[] | undefined>;

export abstract class LeanResponse extends Response {
  readonly #status: number;
  #record: HeaderRecord | undefined;
  #headers: Headers | undefined;

  constructor(status: number, headers: HeaderRecord | Headers | undefined) {
    super(null);
    this.#status = status;
    if (headers instanceof Headers) this.#headers = headers;
    else this.#record = headers ?? {};
  }

  override get status(): number {
    return this.#status;
  }

  override get ok(): boolean {
    return this.#status >= 200 && this.#status < 300;
  }

  override get statusText(): string {
    return '';
  }

  /** Built on first access; from then on it is the one copy of the headers. */
  override get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(this.#record!)) {
        if (Array.isArray(value)) for (const item of value) headers.append(name, item);
        else if (value !== undefined) headers.append(name, value);
      }
      this.#headers = headers;
      this.#record = undefined;
    }
    return this.#headers;
  }

  /** One header (repeats joined with ', '), without building a Headers object. */
  header(name: string): string | undefined {
    if (this.#headers) return this.#headers.get(name) ?? undefined;
    const value = this.#record![name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  /** Sets a header (lower-case name), without building a Headers object. */
  setHeader(name: string, value: string): void {
    if (this.#headers) this.#headers.set(name, value);
    else this.#record![name] = value;
  }

  /** Every header as name → value(s), for a writer. */
  headerRecord(): Record<string, string | string[]> {
    if (this.#headers) return headerRecordOf(this.#headers);
    const out: Record<string, string | string[]> = {};
    for (const name in this.#record) {
      const value = this.#record[name];
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
}

/** The headers of a Headers object as name → value(s) (Set-Cookie as a list, never joined). */
export function headerRecordOf(source: Headers): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  source.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = source.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  return headers;
}

/** Sets a header on any Response, without building a Headers object where there is none yet. */
export function setResponseHeader(response: Response, name: string, value: string): void {
  if (response instanceof LeanResponse) response.setHeader(name, value);
  else response.headers.set(name, value);
}
