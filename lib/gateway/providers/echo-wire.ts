import 'server-only';

/** What the offline echo's chat, completion and Responses answers share: its token count and its streams. */

/** Four characters a token, at least one. */
export const echoTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** A text/event-stream answer of ready-made events, one per read. */
export function eventStream(events: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = events.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}
