import 'server-only';
import type { Requester, UpstashRequest, UpstashResponse } from '@upstash/redis';
import { unavailableDependency } from '@/lib/unavailable';
import {
  bodyErrorMessage,
  commandListSchema,
  commandSchema,
  errorMessage,
  type CommandRunner,
  type Outcome,
} from './commands';

/**
 * An @upstash/redis `Requester` that runs commands in this process (`new Redis(createRequester(r))`):
 * the app keeps the Upstash SDK and @upstash/ratelimit, without an HTTP hop on the hot path. Results
 * are plain JSON values; base64 only exists on the wire (HttpClient decodes it, and we bypass it).
 */
/**
 * In process, the bodies come from @upstash/redis itself, never from a client: a cheap shape
 * check replaces the full zod validation the HTTP endpoint does (it ran on every hot-path
 * command). Anything unusual still gets the full parse and its precise error.
 */
const isCommand = (value: unknown): value is (string | number | boolean)[] =>
  Array.isArray(value) && value.length > 0 && value.every((arg) => typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean');

function command(body: unknown) {
  // String(): as the schema's transform does (Redis sees every argument as a string).
  return isCommand(body) ? ({ success: true, data: body.map(String) } as const) : commandSchema.safeParse(body);
}

function commandList(body: unknown) {
  return Array.isArray(body) && body.length > 0 && body.every(isCommand)
    ? ({ success: true, data: body.map((item: (string | number | boolean)[]) => item.map(String)) } as const)
    : commandListSchema.safeParse(body);
}

async function handle(runner: CommandRunner, req: UpstashRequest): Promise<Outcome | Outcome[]> {
  const path = (req.path ?? []).join('/');

  if (path === '') {
    const parsed = command(req.body);
    if (!parsed.success) return { error: bodyErrorMessage(parsed.error) };
    try {
      return await runner.run(parsed.data);
    } catch (error) {
      // Redis being unreachable is not an answer of Redis': it rejects, as Upstash's HTTP client does.
      if (unavailableDependency(error)) throw error;
      return { error: errorMessage(error) };
    }
  }

  if (path === 'pipeline' || path === 'multi-exec') {
    const parsed = commandList(req.body);
    if (!parsed.success) return { error: bodyErrorMessage(parsed.error) };
    try {
      return path === 'pipeline' ? await runner.pipeline(parsed.data) : await runner.multiExec(parsed.data);
    } catch (error) {
      if (unavailableDependency(error)) throw error;
      // The SDK maps over a pipeline's answer; a bare `{ error }` would surface as "res.map is not a
      // function". Failing every command with the reason reads right in each caller's stack trace.
      const failed: Outcome = { error: errorMessage(error) };
      return parsed.data.map(() => failed);
    }
  }

  return { error: `ERR unsupported request path '/${path}'` };
}

export function createRequester(runner: CommandRunner): Requester {
  return {
    async request<TResult = unknown>(req: UpstashRequest) {
      return (await handle(runner, req)) as UpstashResponse<TResult>;
    },
  };
}
