import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * The benchmark's child processes. Every child is tracked so that any way out — success,
 * failure, Ctrl-C, an uncaught error — stops them all: a leaked mock or server would keep its
 * port and skew the next run (and everyone else's, on a shared 2-core machine).
 */

const children = new Set<ChildProcess>();

export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  children.add(child);
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (!stopping && code !== 0) console.error(`[bench] ${name} exited early (${signal ?? `code ${code}`})`);
  });
  return child;
}

/**
 * Runs a TypeScript entry of lib/bench in its own Node process (through tsx's loader, in the same
 * process, so the pid we hold is the one to kill) and waits for the `{ url }` it sends once listening.
 */
export async function startEntry(name: string, file: string, args: string[] = [], nodeFlags: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnTracked(name, process.execPath, [...nodeFlags, '--import', 'tsx', file, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before listening`)));
  });
  return { child, url };
}

let stopping = false;

/** SIGTERM to each child, then SIGKILL to any still alive after `graceMs`. */
export async function stopAll(graceMs = 3_000): Promise<void> {
  stopping = true;
  const alive = [...children];
  await Promise.all(
    alive.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** Installs the handlers that stop the children on Ctrl-C, SIGTERM and a crash. */
export function stopChildrenOnExit(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n[bench] ${signal}: stopping child processes`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort, synchronous: 'exit' handlers cannot wait, so no grace period here.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** A port free right now on 127.0.0.1 (for a child that takes its port as an argument). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with any HTTP status (the server is up), or gives up. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`the process serving ${url} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
