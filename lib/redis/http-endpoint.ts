import 'server-only';
import { bearerMatches } from '@/lib/security/bearer';
import { readBounded } from '@/lib/streams/read-bounded';
import {
  bodyErrorMessage,
  commandListSchema,
  commandSchema,
  errorMessage,
  isReplyError,
  type CommandRunner,
  type Outcome,
  type Reply,
} from './commands';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'redis-http' });

/**
 * Upstash's REST protocol (as served by serverless-redis-http) for processes that can only speak
 * HTTP to Redis: `POST /` one command, `POST /pipeline`, `POST /multi-exec`, JSON arrays of
 * arguments, `Authorization: Bearer <token>`. Works with `new Redis({ url, token })` from
 * @upstash/redis, and therefore with @upstash/ratelimit.
 */

export interface RedisHttpOptions {
  runner: CommandRunner;
  /** The bearer token clients must send (REDIS_HTTP_TOKEN). */
  token: string;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });


/**
 * `Upstash-Encoding: base64`: strings are sent base64-encoded so that any bytes survive JSON. A
 * whole result of "OK" (a status reply) stays plain, as Upstash does. Inside arrays every string is
 * encoded, "OK" included: the SDK base64-decodes every string of a top-level array, so a plain "OK"
 * there would come back as "8". (Deeper down it accepts both.) Integers and nil are never encoded.
 */
function encodeBase64(value: Reply, nested = false): Reply {
  if (typeof value === 'string') return !nested && value === 'OK' ? value : Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map((item) => encodeBase64(item, true));
  return value;
}

const encodeOutcome = (outcome: Outcome, base64: boolean): Outcome =>
  base64 && 'result' in outcome ? { result: encodeBase64(outcome.result) } : outcome;

const ROUTES = new Set(['/', '/pipeline', '/multi-exec']);

/** Refused before reading, wherever the handler is mounted; node-server.ts also caps streamed bodies. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function createRedisHttpHandler({ runner, token }: RedisHttpOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    if (!bearerMatches(request.headers.get('authorization'), token)) return json({ error: 'Unauthorized' }, 401);
    if (request.method !== 'POST') return json({ error: 'ERR method not allowed, use POST' }, 405);
    const route = new URL(request.url).pathname.replace(/(.)\/+$/, '$1');
    if (!ROUTES.has(route)) return json({ error: `ERR unknown endpoint '${route}'` }, 404);

    if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
      return json({ error: 'ERR request body too large' }, 413);
    }
    // Bounded also without a Content-Length (chunked): never buffer more than MAX_BODY_BYTES.
    const raw = await readBounded(request.body, MAX_BODY_BYTES);
    if (raw === null) return json({ error: 'ERR request body too large' }, 413);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return json({ error: 'ERR request body is not valid JSON' }, 400);
    }
    const base64 = request.headers.get('upstash-encoding')?.toLowerCase() === 'base64';

    try {
      if (route === '/') {
        const parsed = commandSchema.safeParse(body);
        if (!parsed.success) return json({ error: bodyErrorMessage(parsed.error) }, 400);
        const outcome = await runner.run(parsed.data);
        // Upstash answers a failed single command with 400 and `{ error }`.
        return json(encodeOutcome(outcome, base64), 'error' in outcome ? 400 : 200);
      }
      const parsed = commandListSchema.safeParse(body);
      if (!parsed.success) return json({ error: bodyErrorMessage(parsed.error) }, 400);
      const outcomes = route === '/pipeline' ? await runner.pipeline(parsed.data) : await runner.multiExec(parsed.data);
      return json(outcomes.map((outcome) => encodeOutcome(outcome, base64)));
    } catch (error) {
      if (isReplyError(error)) return json({ error: errorMessage(error) }, 400); // e.g. EXECABORT
      // A connection failure: log the details here, give the client no internals.
      log.error({ err: error }, 'backend failure');
      return json({ error: 'ERR Redis is unavailable' }, 503);
    }
  };
}
