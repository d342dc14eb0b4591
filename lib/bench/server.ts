import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, spawnTracked, waitForHttp } from './children';

/**
 * The production server under test: `node lib/server/start.mjs`, exactly what `npm start` runs,
 * so /v1 is served from node:http through the esbuild bundle of the hot path.
 */

const HOT_PATH_BUNDLE = '.next/conduit/hot-path.mjs';

/** Builds when the hot-path bundle is missing; otherwise says how old the build in use is. */
export function ensureBuild(): void {
  if (existsSync(HOT_PATH_BUNDLE)) {
    const minutes = Math.round((Date.now() - statSync(HOT_PATH_BUNDLE).mtimeMs) / 60_000);
    console.log(`[bench] using the existing build (${HOT_PATH_BUNDLE}, built ${minutes} min ago; \`npm run build\` to refresh)`);
    const newer = newerSources(statSync(HOT_PATH_BUNDLE).mtimeMs);
    // Not rebuilt automatically: a build takes a core for a minute, and others may be mid-edit.
    if (newer.length > 0) console.warn(`[bench] warning: ${newer.length} source file(s) changed since that build (e.g. ${newer[0]}): the numbers are for the build, not this tree`);
    return;
  }
  // Two builds at once would exhaust 2 cores and trample each other's .next directory.
  if (buildRunning()) throw new Error('`next build` is already running in another process; run the benchmark once it is done');
  console.log(`[bench] ${HOT_PATH_BUNDLE} is missing: running \`npm run build\` first`);
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('`npm run build` failed');
}

/** App sources (not tests, not the benchmark) modified after `since`. */
function newerSources(since: number): string[] {
  const found: string[] = [];
  for (const root of ['app', 'db', 'lib']) {
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      const file = path.join(entry.parentPath, entry.name);
      if (!entry.isFile() || !/\.(ts|tsx|mjs|sql)$/.test(file) || /\.test\.ts$|^lib\/(bench|testing)\//.test(file)) continue;
      if (statSync(file).mtimeMs > since) found.push(file);
    }
  }
  return found;
}

function buildRunning(): boolean {
  try {
    return execFileSync('pgrep', ['-f', 'next build'], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

/** Starts the server on a free loopback port and waits until it answers. */
export async function startConduit(environment: Record<string, string>, flags: string[] = [], cwd?: string): Promise<{ url: string; pid: number | undefined }> {
  const port = await freePort();
  // Nothing of the embedded default may be touched: a throwaway directory, which also takes the
  // server's log — one JSON line per request, written as in production, kept out of the report.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'conduit-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...environment, DATA_DIR: dataDir };
  delete env.UPSTASH_REDIS_REST_URL;
  delete env.UPSTASH_REDIS_REST_TOKEN;
  const child = spawnTracked(cwd ? `conduit (${cwd})` : 'conduit', process.execPath, [...profiling(process.env.BENCH_CPU_PROF), ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...flags, 'lib/server/start.mjs', '--port', String(port), '--hostname', '127.0.0.1'], {
    env,
    cwd,
    stdio: ['ignore', openSync(path.join(dataDir, 'server.log'), 'a'), 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  // Generous: the first start applies every migration to the fresh database.
  await waitForHttp(`${url}/v1/models`, 60_000, child).catch((error: Error) => {
    throw new Error(`${error.message} — is the build current? (\`npm run build\`)`);
  });
  return { url, pid: child.pid };
}

/**
 * BENCH_CPU_PROF=<dir>: the Conduit server writes a V8 CPU profile there (open it in Chrome
 * DevTools), the bare forwarders into <dir>/bare and <dir>/bare-request. Node only writes one on a normal exit, so SIGTERM
 * is turned into process.exit().
 */
export function profiling(dir: string | undefined): string[] {
  if (!dir) return [];
  console.log(`[bench] profiling into ${path.resolve(dir)}`);
  return ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'data:text/javascript,process.once("SIGTERM",()=>process.exit(0))'];
}

/**
 * BENCH_BASELINE_BUNDLE=<file>: a Conduit server serving another build of the hot path — e.g. one
 * made from an earlier commit with `node lib/server/build-hot-path.mjs` and copied aside — with
 * everything else from the current build. The file is copied beside the build (its package
 * imports resolve from there) and named to the server by CONDUIT_HOT_PATH_BUNDLE; the current
 * build is never touched.
 */
export async function startConduitWithBundle(bundle: string, environment: Record<string, string>): Promise<{ url: string; pid: number | undefined }> {
  const copy = path.join(path.dirname(HOT_PATH_BUNDLE), `baseline-${path.basename(bundle).replace(/\.m?js$/, '')}.mjs`);
  copyFileSync(bundle, copy);
  return startConduit({ ...environment, CONDUIT_HOT_PATH_BUNDLE: copy });
}

/**
 * BENCH_BASELINE_CHECKOUT=<dir>: a whole other checkout, built (`npm ci && npm run build` there),
 * served as a Conduit of its own — for a change a swapped hot-path bundle cannot isolate, such as
 * one to the server around it (the request log and metrics) or to the Redis client both bundles
 * share. It gets its own Redis database and the current database (its migrations must be a prefix).
 */
export function startConduitFromCheckout(dir: string, environment: Record<string, string>): Promise<{ url: string; pid: number | undefined }> {
  return startConduit(environment, [], path.resolve(dir));
}
