/**
 * A Response that relays an upstream body to the client with a step on every chunk (the gateway's
 * SSE tap, the proxy's meter). Piping through a second ReadableStream for that step costs a
 * stream per request (Node 20 makes every one transferable at construction) plus a pull, an
 * enqueue and a read per chunk — a visible share of a relayed request's CPU. So the lean entry
 * (node-adapter.ts) drives the steps itself, reading the upstream and writing the socket
 * (`relayTo`); anyone else (a Next.js route, a test) gets an ordinary stream from `body`, built
 * on first access and driven by the same steps.
 */

export interface RelaySteps {
  /** What of this upstream chunk reaches the client: the chunk, parts of it, or nothing yet. */
  chunk(bytes: Uint8Array): Uint8Array | Uint8Array[] | null;
  /** The upstream ended: the last bytes for the client, if any. */
  end(): Uint8Array | null;
  /** The upstream broke mid-body: bytes that tell the client in-band (then the body ends), or null to break the client's body too. */
  fail(error: unknown): Uint8Array | null;
  /** The client went away before the end (the upstream body is cancelled, which aborts its fetch). */
  cancel(): void;
}

/** Where relayed bytes go; `write` answers false when the writer wants a pause (backpressure). */
export interface RelaySink {
  write(chunk: Uint8Array): boolean;
  /** Resolves when the sink can take more, or has closed. */
  drained(): Promise<void>;
  end(last: Uint8Array | null): void;
  /** Breaks the client's body (the upstream broke and the steps had nothing to say). */
  destroy(): void;
}

export class RelayResponse extends Response {
  readonly #source: ReadableStream<Uint8Array>;
  readonly #steps: RelaySteps;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #taken = false;

  constructor(source: ReadableStream<Uint8Array>, steps: RelaySteps, init: ResponseInit) {
    super(null, init);
    this.#source = source;
    this.#steps = steps;
  }

  /** Claims the body once, whichever way it is read. */
  #take(): void {
    if (this.#taken) throw new TypeError('Response body has already been consumed.');
    this.#taken = true;
  }

  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (!this.#stream) {
      this.#take();
      this.#stream = relayStream(this.#source, this.#steps) as ReadableStream<Uint8Array<ArrayBuffer>>;
    }
    return this.#stream;
  }

  override get bodyUsed(): boolean {
    return this.#taken && (this.#stream === undefined || this.#stream.locked);
  }

  /**
   * Relays the whole body into `sink`. `clientGone` is called by the owner when the client
   * leaves; the returned function does that (cancels the upstream, tells the steps once).
   */
  relayTo(sink: RelaySink): { done: Promise<void>; clientGone: () => void } {
    this.#take();
    const reader = this.#source.getReader();
    let over = false;
    const clientGone = () => {
      if (over) return;
      over = true;
      reader.cancel().catch(() => {});
      this.#steps.cancel();
    };
    const done = (async () => {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          if (over) return;
          over = true;
          const last = this.#steps.fail(error);
          if (last) sink.end(last);
          else sink.destroy();
          return;
        }
        if (over) return;
        if (next.done) {
          over = true;
          sink.end(this.#steps.end());
          return;
        }
        const out = this.#steps.chunk(next.value);
        let room = true;
        if (Array.isArray(out)) for (const part of out) room = sink.write(part) && room;
        else if (out) room = sink.write(out);
        if (!room) await sink.drained();
      }
    })();
    return { done, clientGone };
  }

  override text(): Promise<string> {
    return new Response(this.body).text();
  }

  override json(): Promise<unknown> {
    return new Response(this.body).json();
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return new Response(this.body).arrayBuffer();
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Response(this.body).bytes();
  }

  override blob(): Promise<Blob> {
    return new Response(this.body, { headers: this.headers }).blob();
  }

  override formData(): Promise<FormData> {
    return new Response(this.body, { headers: this.headers }).formData();
  }

  override clone(): Response {
    throw new TypeError('A relayed response cannot be cloned: its upstream body is read once.');
  }
}

/** The steps as an ordinary ReadableStream (for readers other than the lean entry). */
export function relayStream(source: ReadableStream<Uint8Array>, steps: RelaySteps): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Keep reading until there is something to hand on: a pull that enqueues nothing is not
      // called again, and the stream would stall.
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            const last = steps.end();
            if (last) controller.enqueue(last);
            controller.close();
            return;
          }
          const out = steps.chunk(value);
          if (out === null || (Array.isArray(out) && out.length === 0)) continue;
          if (Array.isArray(out)) for (const part of out) controller.enqueue(part);
          else controller.enqueue(out);
          return;
        }
      } catch (error) {
        const last = steps.fail(error);
        if (!last) return controller.error(error);
        controller.enqueue(last);
        controller.close();
      }
    },
    cancel(reason) {
      reader.cancel(reason).catch(() => {});
      steps.cancel();
    },
  });
}
