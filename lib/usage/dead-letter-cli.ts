import 'server-only';
import { ConfigError, env } from '@/lib/env';
import { redisBackend } from '@/lib/redis/client';
import { deadLetterCount, recentDeadLetters, replayDeadLetters } from './dead-letter';
import { appUsageQueue } from './queue';

/**
 * `npm run usage:dead -- list [n]` shows how many usage queue entries were dead-lettered and the
 * newest n (10) of them, each with its reason; `npm run usage:dead -- replay <n>` puts the n
 * oldest back on the queue (after a fix: a record refused again comes back with its new reason).
 * Uses the server's configuration (REDIS_URL or Upstash, USAGE_QUEUE_KEY).
 */
async function main() {
  const [command = 'list', count] = process.argv.slice(2);
  const n = Number(count ?? 10);
  if (!['list', 'replay'].includes(command) || !Number.isInteger(n) || n < 1 || (command === 'replay' && count === undefined)) {
    console.error('usage: dead-letter-cli.ts list [n]  |  dead-letter-cli.ts replay <n>');
    process.exit(2);
  }
  try {
    env();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
  // The embedded store lives inside the server's own process: nothing to see from here.
  if (redisBackend() === 'embedded') {
    console.error('No REDIS_URL or Upstash configured: the embedded store is only visible inside the running server.');
    process.exit(1);
  }
  if (command === 'replay') {
    const { replayed, skipped } = await replayDeadLetters(n);
    console.log(`Replayed ${replayed} dead letters onto the usage queue${skipped ? `; skipped ${skipped} truncated ones (left in the list)` : ''}.`);
  } else {
    console.log(`${await deadLetterCount()} dead letters in ${appUsageQueue().deadKey}; newest first:`);
    for (const letter of await recentDeadLetters(n)) {
      console.log(`${new Date(letter.at).toISOString()}  ${letter.requestId ?? '(no request id)'}  ${letter.reason}`);
    }
  }
  process.exit(0);
}

void main();
