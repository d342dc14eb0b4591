import { startFetchServer } from '@/lib/testing/mock-server';

/**
 * Test support: a generic upstream (shaped like Google Maps, SendGrid, Twilio or Stripe) that
 * records exactly what arrived — method, path, query, headers, body — and answers with JSON.
 */
export interface Arrival {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

export async function startRecordingUpstream(answer: (arrival: Arrival) => unknown = () => ({ ok: true })) {
  const arrivals: Arrival[] = [];
  const server = await startFetchServer(async (request) => {
    const url = new URL(request.url);
    const arrival = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body: await request.text() };
    arrivals.push(arrival);
    return Response.json(answer(arrival), { headers: { 'set-cookie': 'tracking=1', 'x-upstream': 'yes' } });
  });
  return { ...server, arrivals };
}
