import 'server-only';
import { ConfigError, env } from '@/lib/env';
import { createRedisHttpHandler } from './http-endpoint';
import { serve } from '@/lib/server/node-adapter';
import { tcpRunner } from './runners';
import { logger } from '@/lib/observability/log';

const log = logger().child({ component: 'redis-http' });

/**
 * `npm run redis-http`: the Upstash-compatible REST endpoint in front of REDIS_URL, for processes
 * that can only reach Redis over HTTP (`new Redis({ url: 'http://host:8079', token })`).
 * Listens on every interface so other containers/hosts can reach it; the bearer token is mandatory.
 */

function exit(message: string): never {
  log.fatal(message);
  process.exit(1);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function main() {
  let config;
  try {
    config = env();
  } catch (error) {
    if (error instanceof ConfigError) exit(error.message);
    throw error;
  }
  if (!config.REDIS_URL) exit('REDIS_URL is not set: it names the Redis server to serve (e.g. redis://127.0.0.1:6379).');
  if (!config.REDIS_HTTP_TOKEN) {
    exit('REDIS_HTTP_TOKEN is not set: clients authenticate with it (16+ characters, e.g. `openssl rand -hex 32`).');
  }

  const runner = tcpRunner(config.REDIS_URL);
  const handler = createRedisHttpHandler({ runner, token: config.REDIS_HTTP_TOKEN });
  const server = await serve(handler, config.REDIS_HTTP_PORT, '0.0.0.0');
  log.info({ redis: redact(config.REDIS_URL), url: server.url }, 'serving');

  const shutdown = async () => {
    await server.close();
    await runner.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => exit(error instanceof Error ? error.message : String(error)));
