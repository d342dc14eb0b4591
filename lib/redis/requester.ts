import 'server-only';
import type { Requester, UpstashRequest, UpstashResponse } from '@upstash/redis';
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
async function handle(runner: CommandRunner, req: UpstashRequest): Promise<Outcome | Outcome[]> {
  const path = (req.path ?? []).join('/');

  if (path === '') {
    const parsed = commandSchema.safeParse(req.body);
    if (!parsed.success) return { error: bodyErrorMessage(parsed.error) };
    try {
      return await runner.run(parsed.data);
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }

  if (path === 'pipeline' || path === 'multi-exec') {
    const parsed = commandListSchema.safeParse(req.body);
    if (!parsed.success) return { error: bodyErrorMessage(parsed.error) };
    try {
      return path === 'pipeline' ? await runner.pipeline(parsed.data) : await runner.multiExec(parsed.data);
    } catch (error) {
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
