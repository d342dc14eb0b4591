import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort, waitForHttp } from '@/lib/bench/children';

/**
 * The processes a fault test breaks on purpose: a Redis of its own on a spare port (so killing
 * it disturbs nobody else), a scratch PostgreSQL database, and production servers
 * (`node lib/server/start.mjs`, what `npm start` runs). Every process is started here, tracked by
 * pid and stopped by pid in `stopEverything`, whatever happened in the test.
 */

const tracked = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  return child;
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** SIGKILL to everything still running: the last word of every fault test. */
export async function stopEverything(): Promise<void> {
  const alive = [...tracked];
  for (const child of alive) child.kill('SIGKILL');
  await Promise.all(alive.map(exited));
}

// --- Redis -----------------------------------------------------------------------------------

export interface FaultRedis {
  url: string;
  port: number;
  /** kill -9: everything in memory is gone (no persistence, as the fault requires). */
  kill(): Promise<void>;
  /** A new, empty Redis on the same port. */
  start(): Promise<void>;
}

export async function startRedis(): Promise<FaultRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'conduit-faults-redis-'));
  let child: ChildProcess | undefined;
  const redis: FaultRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (!child) return;
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
      child = undefined;
    },
    async start() {
      child = track(
        spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
          stdio: 'ignore',
        }),
      );
      await waitFor(async () => (await redisPing(port)) === true, 10_000, `redis-server on port ${port}`);
    },
  };
  await redis.start();
  return redis;
}

/** PING over a raw socket: true when Redis answers PONG. */
async function redisPing(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

// --- PostgreSQL ------------------------------------------------------------------------------

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FaultDatabase {
  url: string;
  name: string;
  sql: postgres.Sql;
  /** pg_terminate_backend on every connection of this database but our own. */
  terminateBackends(): Promise<number>;
  drop(): Promise<void>;
}

export async function createDatabase(): Promise<FaultDatabase> {
  const name = `conduit_faults_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {}, connection: { application_name: 'faults' } });
  return {
    url: url.toString(),
    name,
    sql,
    async terminateBackends() {
      const rows = await admin<{ terminated: boolean }[]>`
        select pg_terminate_backend(pid) as terminated from pg_stat_activity
        where datname = ${name} and pid <> pg_backend_pid() and application_name <> 'faults'`;
      return rows.filter((row) => row.terminated).length;
    },
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

// --- Conduit ---------------------------------------------------------------------------------

export interface Conduit {
  url: string;
  child: ChildProcess;
  /** Everything the server printed, for assertions that no secret leaked and for post-mortems. */
  output(): string;
}

export async function startConduit(environment: Record<string, string>): Promise<Conduit> {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, ['lib/server/start.mjs', '--port', String(port), '--hostname', '127.0.0.1'], {
      env: { ...process.env, ...environment, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'conduit-faults-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/v1/models`, 60_000, child).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  return { url, child, output: () => output };
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// --- A cable to pull -------------------------------------------------------------------------

export interface Cable {
  /** `host:port` clients connect to instead of the target. */
  port: number;
  /** Drops every connection and refuses new ones, as a database that went away would. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  mend(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP relay on a spare port to `targetPort`, which a test can cut and mend. */
export async function cable(targetPort: number): Promise<Cable> {
  const { createServer, connect } = await import('node:net');
  const port = await freePort();
  const sockets = new Set<import('node:net').Socket>();
  let server: import('node:net').Server | undefined;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect({ port: targetPort, host: '127.0.0.1' });
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => {});
          socket.on('close', () => {
            sockets.delete(socket);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const cut = async () => {
    const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of sockets) socket.destroy();
    await closing;
    server = undefined;
  };
  await listen();
  return { port, cut, mend: listen, close: cut };
}
