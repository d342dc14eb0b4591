import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RelayResponse, type RelaySource, type RelaySteps } from './relay-response';
import { adapterServers } from './testing';

// A relayed body reaches the client the same way whoever reads it: the lean entry driving the
// steps itself, or anyone reading `body` as a stream.

const served = adapterServers();

const encode = (text: string) => new TextEncoder().encode(text);

type SourceKind = 'a web stream' | 'a Node stream (undici)';

/** An upstream body of these parts; fails after `failAfter` parts, if given; counts its cancels. */
function upstream(parts: string[], options: { failAfter?: number; pauseAfter?: number; kind?: SourceKind } = {}): { stream: RelaySource; state: { cancelled: number } } {
  const state = { cancelled: 0 };
  let i = 0;
  if (options.kind === 'a Node stream (undici)') {
    const stream = new Readable({
      read() {
        if (options.failAfter === i) return this.destroy(new Error('socket hang up'));
        if (options.pauseAfter === i) return; // nothing more until destroyed
        this.push(i < parts.length ? encode(parts[i++]!) : null);
      },
      destroy(error, callback) {
        if (!error) state.cancelled += 1;
        callback(error);
      },
    });
    return { stream, state };
  }
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.failAfter === i) return controller.error(new Error('socket hang up'));
      if (options.pauseAfter === i) await new Promise(() => {}); // hangs until cancelled
      if (i < parts.length) controller.enqueue(encode(parts[i++]!));
      else controller.close();
    },
    cancel() {
      state.cancelled += 1;
    },
  });
  return { stream, state };
}

/**
 * Upper-cases the text, drops every "drop" in it (a chunk of nothing else yields nothing), adds a
 * trailer; records how it ended. Like the real steps, it does not depend on where chunks split:
 * a relay may hand over several upstream chunks as one.
 */
function steps(failWith: string | null = null) {
  const ended: string[] = [];
  const relay: RelaySteps = {
    chunk: (bytes) => {
      const text = new TextDecoder().decode(bytes).replaceAll('drop', '');
      return text === '' ? null : [encode(text.toUpperCase())];
    },
    end: () => (ended.push('end'), encode('|trailer')),
    fail: () => (ended.push('fail'), failWith === null ? null : encode(failWith)),
    cancel: () => void ended.push('cancel'),
  };
  return { relay, ended };
}

describe.each<SourceKind>(['a web stream', 'a Node stream (undici)'])('a response relayed from %s', (kind) => {
  for (const reader of ['the lean entry', 'a stream reader'] as const) {
    it(`applies the steps to every chunk and ends with their last bytes (${reader})`, async () => {
      const { stream } = upstream(['ab', 'drop', 'cd'], { kind });
      const { relay, ended } = steps();
      const response = new RelayResponse(stream, relay, { status: 201, headers: { 'x-kind': 'relay' } });
      if (reader === 'a stream reader') {
        expect(await response.text()).toBe('ABCD|trailer');
      } else {
        const answer = await fetch(await served(async () => response));
        expect([answer.status, answer.headers.get('x-kind'), await answer.text()]).toEqual([201, 'relay', 'ABCD|trailer']);
      }
      expect(ended).toEqual(['end']);
    });

    it(`tells the client in-band when the upstream breaks and the steps have words for it (${reader})`, async () => {
      const { stream } = upstream(['ab', 'cd'], { failAfter: 1, kind });
      const { relay, ended } = steps('|broken');
      const response = new RelayResponse(stream, relay, { status: 200 });
      const text = reader === 'a stream reader' ? await response.text() : await (await fetch(await served(async () => response))).text();
      expect(text).toBe('AB|broken');
      expect(ended).toEqual(['fail']);
    });

    it(`breaks the client's body when the upstream breaks and the steps have nothing to say (${reader})`, async () => {
      const { stream } = upstream(['ab', 'cd'], { failAfter: 1, kind });
      const { relay, ended } = steps(null);
      const response = new RelayResponse(stream, relay, { status: 200 });
      const read = reader === 'a stream reader' ? response.text() : fetch(await served(async () => response)).then((answer) => answer.text());
      await expect(read).rejects.toThrow();
      expect(ended).toEqual(['fail']);
    });
  }

  it('cancels the upstream and tells the steps once when the client leaves mid-body', async () => {
    const { stream, state } = upstream(['ab', 'cd'], { pauseAfter: 1, kind });
    const { relay, ended } = steps();
    const response = new RelayResponse(stream, relay, { status: 200 });
    const leave = new AbortController();
    const answer = await fetch(await served(async () => response), { signal: leave.signal });
    const body = answer.body!.getReader();
    expect(new TextDecoder().decode((await body.read()).value)).toBe('AB');
    leave.abort();
    await expect.poll(() => ended).toEqual(['cancel']);
    expect(state.cancelled).toBe(1);
  });

  it('is read once', async () => {
    const response = new RelayResponse(upstream(['ab'], { kind }).stream, steps().relay, { status: 200 });
    expect(await response.text()).toBe('AB|trailer');
    expect(response.bodyUsed).toBe(true);
    expect(() => response.relayTo({ write: () => true, drained: async () => {}, end: () => {}, destroy: () => {} })).toThrow(TypeError);
  });
});
