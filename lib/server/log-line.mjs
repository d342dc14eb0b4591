// JSON log lines for the plain-JS entry files (start.mjs, worker.mjs, primary.mjs), in the shape
// pino writes the rest of the server's log (lib/observability/log.ts): `level` as pino's numbers,
// which is what log shippers parse, `time` in ms, `pid`, then the fields, then `msg`.
//
// Written by hand rather than with pino: the primary loads nothing of the app on purpose (nothing
// in it can fail under load), and these few lines — start, stop, a worker replaced — need no more.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const wanted = process.env.LOG_LEVEL?.trim().toLowerCase();
const threshold = wanted === 'silent' ? Infinity : (LEVELS[wanted] ?? LEVELS.info);

function write(level, msg, fields) {
  if (level < threshold) return;
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, component: 'server', ...fields, msg })}\n`);
}

/** The server's own lines (component `server`): `log.info('stopped')`, `log.error('…', { worker: 1 })`. */
export const log = {
  info: (msg, fields) => write(LEVELS.info, msg, fields),
  warn: (msg, fields) => write(LEVELS.warn, msg, fields),
  error: (msg, fields) => write(LEVELS.error, msg, fields),
};
