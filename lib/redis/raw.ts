import 'server-only';
import type { Redis, Requester } from '@upstash/redis';
import { sha1 } from './scripts';

/**
 * The hot path's Redis calls — a Lua script, a command — sent in Upstash's REST shape
 * through the client's own transport (HTTP for Upstash, the in-process requester for REDIS_URL and
 * the embedded store), without the SDK's per-command machinery: Command objects, the auto-pipeline
 * batcher and result deserialisation cost more CPU per request than the Redis round trip itself
 * (profiled under `npm run bench`). Replies are what the REST API returns: strings and integers,
 * no JSON parsing. Everything off the hot path keeps using the SDK.
 */

export type Arg = string | number;
export type Command = readonly Arg[];
export type Reply = { result: unknown; error?: undefined } | { result?: undefined; error: string };

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export const luaScript = (source: string): LuaScript => ({ source, sha: sha1(source) });

/** Redis refused a command (as opposed to the connection failing). */
export class RedisCommandError extends Error {
  override name = 'RedisCommandError';
}

// @upstash/redis keeps its transport in a protected field; pinned version, covered by the
// contract tests over every backend, Upstash's HTTP protocol included.
export const transport = (redis: Redis): Requester => (redis as unknown as { client: Requester }).client;

/** One command; rejects with RedisCommandError when Redis answers with an error. */
export async function runCommand(redis: Redis, command: Command): Promise<unknown> {
  let reply: Reply;
  try {
    reply = (await transport(redis).request({ body: command })) as Reply;
  } catch (error) {
    // Over HTTP, Upstash answers a failed single command with a 400 that the transport throws.
    if (error instanceof Error && error.name === 'UpstashError') throw new RedisCommandError(error.message.replace(/, command was: [\s\S]*$/, ''));
    throw error;
  }
  if (reply.error !== undefined) throw new RedisCommandError(reply.error);
  return reply.result;
}

/** EVALSHA, falling back to EVAL the first time a Redis sees the script (or after a restart). */
export async function runScript(redis: Redis, script: LuaScript, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
  try {
    return await runCommand(redis, ['evalsha', script.sha, keys.length, ...keys, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return runCommand(redis, ['eval', script.source, keys.length, ...keys, ...args]);
  }
}

export const isNoScript = (error: unknown): boolean => error instanceof RedisCommandError && /NOSCRIPT/i.test(error.message);
