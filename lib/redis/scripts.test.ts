import { describe, expect, it } from 'vitest';
import { createCommandRunner, type RedisBackend } from './commands';
import { sha1 } from './scripts';

/**
 * What reaches Redis for a script called by SHA. Ours have no shebang, so Redis knows them by the
 * caller's SHA and only the SHA should travel; @upstash/ratelimit's start with a shebang Redis 7.0
 * refuses, so they must be run as EVAL of the stripped text.
 */

function recordingBackend() {
  const sent: string[][] = [];
  const backend: RedisBackend = {
    send: async (command) => (sent.push(command), 'ok'),
    pipeline: async (commands) => commands.map((command) => (sent.push(command), [null, 'ok'])),
    multi: async (commands) => commands.map((command) => (sent.push(command), [null, 'ok'])),
    close: async () => undefined,
  };
  return { backend, sent };
}

const PLAIN = `return redis.call('INCR', KEYS[1])`;
const SHEBANG = `#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])`;

describe('scripts by SHA', () => {
  it('sends EVALSHA of a plain script as it is, even after the script was EVALed (no source per call)', async () => {
    const { backend, sent } = recordingBackend();
    const runner = createCommandRunner(backend);
    await runner.run(['eval', PLAIN, '1', 'k']);
    await runner.run(['evalsha', sha1(PLAIN), '1', 'k']);
    await runner.pipeline([['evalsha', sha1(PLAIN), '1', 'k']]);
    expect(sent.map(([name]) => name)).toEqual(['eval', 'evalsha', 'evalsha']);
    expect(sent[1]).toEqual(['evalsha', sha1(PLAIN), '1', 'k']);
  });

  it('runs a shebang script Redis cannot know by that SHA as EVAL of the stripped text', async () => {
    const { backend, sent } = recordingBackend();
    const runner = createCommandRunner(backend);
    await runner.run(['eval', SHEBANG, '1', 'k']);
    await runner.run(['evalsha', sha1(SHEBANG), '1', 'k']);
    expect(sent[1]?.[0]).toBe('eval');
    expect(sent[1]?.[1]).not.toContain('#!lua');
    expect(sent[1]?.slice(2)).toEqual(['1', 'k']);
  });

  it('runs every known script as EVAL on a backend without a script cache (the embedded store)', async () => {
    const { backend, sent } = recordingBackend();
    const runner = createCommandRunner(backend, { scriptsKept: false });
    await runner.run(['eval', PLAIN, '1', 'k']);
    await runner.run(['evalsha', sha1(PLAIN), '1', 'k']);
    expect(sent[1]).toEqual(['eval', PLAIN, '1', 'k']);
  });
});
