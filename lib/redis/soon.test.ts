import { Redis } from '@upstash/redis';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from './commands';
import { createRequester } from './requester';
import { embeddedRunner } from './runners';
import { runCommandLater, runCommandSoon, runTogether } from './soon';

/**
 * Commands sent together (a usage record and its settlement) leave in one pipeline even when the
 * pipeline they join is nearly full (MAX_PIPELINE, 500): a full one leaves and they start the next.
 */
function recording(): { redis: Redis; pipelines: string[][][] } {
  const runner = embeddedRunner();
  const pipelines: string[][][] = [];
  const watched: CommandRunner = {
    ...runner,
    run: (command) => runner.run(command),
    multiExec: (commands) => runner.multiExec(commands),
    close: () => runner.close(),
    pipeline: (commands) => {
      pipelines.push(commands);
      return runner.pipeline(commands);
    },
  };
  return { redis: new Redis(createRequester(watched)), pipelines };
}

const pipelineOf = (pipelines: string[][][], key: string) => pipelines.findIndex((pipeline) => pipeline.some((command) => command.includes(key)));

describe('commands sent together', () => {
  for (const later of [false, true]) {
    it(`stay in one pipeline when the one they join has room for only one of them (${later ? 'later' : 'soon'})`, async () => {
      const { redis, pipelines } = recording();
      const filler = Array.from({ length: 499 }, (_, i) => (later ? runCommandLater : runCommandSoon)(redis, ['get', `conduit-test:{soon}:filler:${i}`]));
      const pair = runTogether(redis, [{ command: ['lpush', 'conduit-test:{soon}:record', 'r'] }, { command: ['del', 'conduit-test:{soon}:settlement'] }], { later });
      await Promise.all([...filler, ...pair]);
      expect(pipelineOf(pipelines, 'conduit-test:{soon}:record')).toBe(pipelineOf(pipelines, 'conduit-test:{soon}:settlement'));
      expect(pipelines.every((pipeline) => pipeline.length <= 500)).toBe(true);
      await redis.del('conduit-test:{soon}:record');
    });
  }
});
