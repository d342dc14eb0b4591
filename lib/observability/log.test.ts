import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { captureLogs } from './testing';
import { createLogger, logger, serializeError } from './log';

/** A destination that keeps every chunk pino writes. */
function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

const SECRET = 'condt_secret_0123456789abcdef';

/** An error as postgres.js and ioredis throw them: the statement or command on the error itself. */
function driverError(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "api_keys_hash_unique"'), {
    code: '23505',
    query: `insert into api_keys (hash) values ($1) -- ${SECRET}`,
    parameters: [SECRET, 'someone@example.com'],
    detail: `Key (hash)=(${SECRET}) already exists.`,
    command: { name: 'evalsha', args: ['sha', 1, `{u:${SECRET}}`, SECRET] },
  });
}

describe('the log', () => {
  it('writes one JSON object per line, in pino\'s shape, with the child\'s component', () => {
    const { stream, text } = sink();
    const log = createLogger(stream).child({ component: 'usage' });
    log.info({ requestId: 'req_1', moved: 3 }, 'moved entries');
    log.error({ err: new Error('two\nlines') }, 'drain pass failed');
    log.warn('a message\nwith a newline');
    const lines = text().split('\n');
    expect(lines.pop()).toBe(''); // every line ends with \n
    expect(lines).toHaveLength(3);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ level: 30, pid: process.pid, component: 'usage', requestId: 'req_1', moved: 3, msg: 'moved entries' });
    expect(typeof records[0]!.time).toBe('number');
    expect(records[1]).toMatchObject({ level: 50, component: 'usage', msg: 'drain pass failed', err: { type: 'Error', message: 'two\nlines' } });
    expect(records[2]).toMatchObject({ level: 40, msg: 'a message\nwith a newline' });
  });

  it('serialises an error as type, message, code, stack and cause: never a driver\'s query, parameters or command', () => {
    const error = new Error('the batch failed', { cause: driverError() });
    const { stream, text } = sink();
    const log = createLogger(stream);
    log.error({ err: driverError() }, 'could not record usage');
    log.error(driverError()); // pino puts a bare error under `err`
    log.error({ err: error }, 'wrapped');
    log.error({ error: driverError() }, 'under another name');
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain('someone@example.com');
    const records = text().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
    expect(records).toHaveLength(4);
    expect(Object.keys(records[0]!.err!).sort()).toEqual(['code', 'message', 'stack', 'type']);
    expect(records[0]!.err).toMatchObject({ type: 'Error', code: '23505', message: 'duplicate key value violates unique constraint "api_keys_hash_unique"' });
    expect(records[0]!.err!.stack).toMatch(/^ {4}at /);
    expect(records[1]!.err).toMatchObject({ code: '23505' });
    expect(records[2]!.err).toEqual({ type: 'Error', message: 'the batch failed', stack: expect.any(String), cause: { type: 'Error', message: expect.stringContaining('duplicate key'), code: '23505' } });
    expect(records[3]!.error).toMatchObject({ code: '23505' });
  });

  it('describes drizzle\'s query wrapper by its cause: the message and stack that hold every parameter are left out', () => {
    class DrizzleQueryError extends Error {
      constructor(readonly query: string, readonly params: unknown[], override readonly cause: unknown) {
        super(`Failed query: ${query}\nparams: ${params.join(',')}`);
      }
    }
    const logged = serializeError(new DrizzleQueryError('insert into usage_records values ($1)', [SECRET], driverError()));
    expect(JSON.stringify(logged)).not.toContain(SECRET);
    expect(logged).toMatchObject({ type: 'DrizzleQueryError', message: 'query failed: duplicate key value violates unique constraint "api_keys_hash_unique"', code: '23505' });
  });

  it('takes the error Auth.js wraps in its cause, not the details beside it', () => {
    const caught = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const wrapped = new Error('Read more at https://errors.authjs.dev#callbackrouteerror', { cause: { err: caught, password: SECRET } });
    const logged = serializeError(wrapped);
    expect(logged.cause).toEqual({ type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });

  it('logs what is not an error without its properties, and names Node\'s AggregateError by its parts', () => {
    expect(serializeError('boom')).toEqual({ type: 'string', message: 'boom' });
    expect(serializeError({ parameters: [SECRET] })).toEqual({ type: 'object', message: '' });
    const refused = Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')]), { code: 'ECONNREFUSED' });
    expect(serializeError(refused)).toMatchObject({ type: 'AggregateError', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432' });
  });

  it('child loggers of the process\'s logger write where a test captures it', () => {
    const capture = captureLogs();
    try {
      logger().child({ component: 'test' }).error({ err: driverError() }, 'captured');
    } finally {
      capture.restore();
    }
    const [record] = capture.records();
    expect(record).toMatchObject({ level: 50, component: 'test', msg: 'captured', err: { code: '23505' } });
    expect(JSON.stringify(record)).not.toContain(SECRET);
  });
});
