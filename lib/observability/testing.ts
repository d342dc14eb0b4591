import { symbols } from 'pino';
import type { DestinationStream } from 'pino';
import { logger } from './log';

/** One line of the server's log, parsed. */
export type LogRecord = Record<string, unknown> & { level: number; msg?: string; component?: string };

/**
 * Test support: the process's logger (and every child of it: they write through its stream)
 * writes into memory until `restore()`. `records()` parses what was written, line by line — a line
 * that is not one JSON object fails the test.
 */
export function captureLogs(): { records(): LogRecord[]; restore(): void } {
  const root = logger() as unknown as Record<symbol, DestinationStream>;
  const previous = root[symbols.streamSym]!;
  let written = '';
  root[symbols.streamSym] = { write: (chunk: string) => void (written += chunk) };
  return {
    records: () => written.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogRecord),
    restore: () => void (root[symbols.streamSym] = previous),
  };
}
