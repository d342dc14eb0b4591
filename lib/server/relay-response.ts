import { Readable } from 'node:stream';
import { LeanResponse, type HeaderRecord } from './lean-response';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'relay' });

/**
 * A Response that relays an upstream body to the client with a step on every chunk (the gateway's
 * SSE tap, the proxy's meter). Piping through a second ReadableStream for that step costs a
 * stream per request (Node 20 makes every one transferable at construction) plus a pull, an
 * enqueue and a read per chunk — a visible share of a relayed request's CPU. So the lean entry
 * (node-adapter.ts) drives the steps itself, reading the upstream and writing the socket
 * (`relayTo`); anyone else (a Next.js route, a test) gets an ordinary stream from `body`, built
 * on first access and driven by the same steps.
 *
 * The source is the upstream's body as undici hands it (a Node stream: see
 * lib/gateway/upstream.ts), or any ReadableStream (a translated or generated answer).
 */
export type RelaySource = Readable | ReadableStream<Uint8Array>;

export interface RelaySteps {
  /** What of this upstream chunk reaches the client: the chunk, parts of it, or nothing yet. */
  chunk(bytes: Uint8Array): Uint8Array | Uint8Array[] | null;
  /**
   * The upstream ended: the last bytes for the client, if any — or a promise of them, when the
   * answer must not end before something is done (the gateway's usage record is in Redis first).
   */
  end(): Uint8Array | null | Promise<Uint8Array | null>;
  /** The upstream broke mid-body: bytes that tell the client in-band (then the body ends), or null to break the client's body too. */
  fail(error: unknown): Uint8Array | null;
  /** The client went away before the end (the upstream body is cancelled, which aborts its request). */
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

export class RelayResponse extends LeanResponse {
  readonly #source: RelaySource;
  readonly #steps: RelaySteps;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #taken = false;

  constructor(source: RelaySource, steps: RelaySteps, init: { status: number; headers?: HeaderRecord | Headers }) {
    super(init.status, init.headers);
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
      const source = this.#source instanceof Readable ? (Readable.toWeb(this.#source) as ReadableStream<Uint8Array>) : this.#source;
      this.#stream = relayStream(source, this.#steps) as ReadableStream<Uint8Array<ArrayBuffer>>;
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
    const steps = this.#steps;
    let over = false;
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    let stopSource = () => {};
    /** Hands a chunk on through the steps; false when the sink wants a pause. */
    const deliver = (chunk: Uint8Array): boolean => {
      const out = steps.chunk(chunk);
      let room = true;
      if (Array.isArray(out)) for (const part of out) room = sink.write(part) && room;
      else if (out) room = sink.write(out);
      return room;
    };
    const end = (error?: unknown) => {
      if (over) return;
      over = true;
      stopSource();
      finish();
      try {
        if (error === undefined) {
          const last = steps.end();
          if (!(last instanceof Promise)) return sink.end(last);
          return void last.then(
            (bytes) => sink.end(bytes),
            (failure: unknown) => {
              log.error({ err: failure }, 'a relay step failed');
              sink.destroy();
            },
          );
        }
        const last = steps.fail(error);
        if (last) sink.end(last);
        else sink.destroy();
      } catch (failure) {
        // Called from event handlers: a step that throws must not escape (it would end the process).
        log.error({ err: failure }, 'a relay step failed');
        sink.destroy();
      }
    };
    const clientGone = () => {
      if (over) return;
      over = true;
      stopSource();
      finish();
      cancelSource();
      steps.cancel();
    };

    let cancelSource: () => void;
    const source = this.#source;
    if (source instanceof Readable) {
      // undici's body, event-driven: a 'data' listener costs no promise per chunk, unlike a reader
      // loop. Chunks that arrive in the same turn of the event loop (an upstream writing its SSE
      // events back to back sends them in one TCP segment, one HTTP chunk each) go through the
      // steps and to the socket as one: one tap call and one write instead of one per event. A
      // chunk waits for nothing but the end of the turn it arrived in.
      let held: Buffer[] = [];
      const release = () => {
        if (over || held.length === 0) return;
        const chunk = held.length === 1 ? held[0]! : Buffer.concat(held);
        held = [];
        let room: boolean;
        try {
          room = deliver(chunk);
        } catch (error) {
          // A step that throws must not escape an event handler (it would take the process down).
          end(error);
          return cancelSource();
        }
        if (room) return;
        source.pause();
        void sink.drained().then(() => !over && source.resume());
      };
      const onData = (chunk: Buffer) => {
        if (held.push(chunk) === 1) setImmediate(release);
      };
      const onEnd = () => {
        release();
        end();
      };
      const onError = (error: unknown) => {
        release();
        end(error);
      };
      // Closed without 'end' or 'error': the body was cut short.
      const onClose = () => onError(new Error('upstream body closed before its end'));
      source.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
      // Once over, a late error (destroying undici's body reports one) has nowhere to go: swallowed.
      stopSource = () => source.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose).on('error', () => {});
      // Destroying undici's body aborts the upstream request.
      cancelSource = () => source.destroy();
    } else {
      const reader = source.getReader();
      cancelSource = () => void reader.cancel().catch(() => {});
      void (async () => {
        try {
          for (;;) {
            const next = await reader.read();
            if (over) return;
            if (next.done) return end();
            if (!deliver(next.value)) await sink.drained();
          }
        } catch (error) {
          end(error);
          cancelSource();
        }
      })();
    }
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
            const last = await steps.end();
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
