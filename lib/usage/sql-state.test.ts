import { describe, expect, it } from 'vitest';
import { describeDatabaseError, isDataError, serverError } from './sql-state';

describe('SQLSTATE classes', () => {
  const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code, severity: 'ERROR' });
  // drizzle wraps the driver's error, carrying the whole query and its parameters in its message.
  const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: insert …\nparams: [[…every record…]]'), { query: 'insert …', params: ['…'], cause });

  it('data exceptions, integrity violations and program limits are the data’s fault', () => {
    for (const code of ['22P02', '22P05', '22009', '22003', '23514', '23503', '54000']) {
      expect(isDataError(pgError(code)), code).toBe(true);
      expect(isDataError(wrapped(pgError(code))), code).toBe(true);
    }
  });

  it('anything else is transient: connections, shutdowns, deadlocks, Node socket errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111 });
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    for (const error of [pgError('57P01'), pgError('08006'), pgError('40P01'), pgError('40001'), pgError('53300'), pgError('XX000'), refused, pipe, wrapped(refused), new Error('x'), 'string', null]) {
      expect(isDataError(error)).toBe(false);
    }
    expect(serverError(pipe)).toBeNull();
  });

  it('describes an error without drizzle’s query and parameters', () => {
    expect(describeDatabaseError(wrapped(pgError('22P02', 'invalid input syntax for type json')))).toBe('22P02 invalid input syntax for type json');
    expect(describeDatabaseError(wrapped(new Error('connect ECONNREFUSED 127.0.0.1:1')))).toBe('Error: connect ECONNREFUSED 127.0.0.1:1');
    expect(describeDatabaseError(pgError('22P02', 'x'.repeat(1_000))).length).toBeLessThanOrEqual(301);
  });
});
