import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, spawnTracked, waitForHttp } from './children';

/**
 * Portkey's open-source AI gateway (npm `@portkey-ai/gateway`) as a peer row of the benchmark: the
 * gateway a team would pick instead, forwarding to the same mock upstream. It is not a project
 * dependency — installed on first use into a scratch folder (BENCH_PORTKEY_DIR, default
 * `<tmp>/conduit-bench-portkey`) and reused from there. No auth, no limits, no usage records: it
 * forwards with the provider's key the client sends (`x-portkey-provider: openai` and the mock as
 * its `x-portkey-custom-host`).
 */
export const PORTKEY_VERSION = '1.15.2';

export interface Portkey {
  child: ChildProcess;
  url: string;
  /** The headers that route a request through it to the mock upstream. */
  headers: Record<string, string>;
}

/** Starts Portkey in front of `upstreamUrl`, installing it first if needed. Throws with the reason if it cannot. */
export async function startPortkey(upstreamUrl: string): Promise<Portkey> {
  const dir = process.env.BENCH_PORTKEY_DIR ?? path.join(tmpdir(), 'conduit-bench-portkey');
  const entry = path.join(dir, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (!existsSync(entry)) {
    console.log(`[bench] installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${dir} (once)…`);
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', `@portkey-ai/gateway@${PORTKEY_VERSION}`], { stdio: 'ignore', timeout: 300_000 });
  }
  const port = await freePort();
  // production: no bundled UI, no dev logging. Its console output is its own; keep the bench's readable.
  const child = spawnTracked('portkey', process.execPath, [entry, `--port=${port}`, '--headless'], { stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, 30_000, child);
  return { child, url, headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamUrl}/v1` } };
}
