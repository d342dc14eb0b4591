import { describe, expect, it } from 'vitest';
import { BytesResponse } from './bytes-response';
import { setResponseHeader } from './lean-response';

// The hot paths' responses keep their headers as a plain record until someone reads `headers`;
// whichever way they are read or changed, everyone must see the same headers.

describe('a lean response', () => {
  it('reads like an ordinary Response', async () => {
    const response = new BytesResponse('{"ok":true}', { status: 201, headers: { 'content-type': 'application/json', 'x-ratelimit-limit-requests': '10' } });
    expect([response.status, response.ok, response.statusText]).toEqual([201, true, '']);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(Object.fromEntries(response.headers)).toEqual({ 'content-type': 'application/json', 'x-ratelimit-limit-requests': '10' });
    expect(await response.json()).toEqual({ ok: true });
    expect(new BytesResponse('', { status: 404 }).ok).toBe(false);
  });

  it('keeps a header set before and after `headers` was first read', () => {
    const response = new BytesResponse('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    setResponseHeader(response, 'x-request-id', 'req_1');
    expect(response.header('x-request-id')).toBe('req_1');
    expect(response.headers.get('x-request-id')).toBe('req_1');
    setResponseHeader(response, 'x-extra', 'later');
    response.headers.set('x-direct', 'yes');
    expect(response.headerRecord()).toEqual({ 'content-type': 'application/json', 'x-request-id': 'req_1', 'x-extra': 'later', 'x-direct': 'yes' });
  });

  it('keeps repeated Set-Cookie headers apart for the writer', () => {
    const fromRecord = new BytesResponse('', { status: 200, headers: { 'set-cookie': ['a=1', 'b=2'] } });
    expect(fromRecord.headerRecord()['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(fromRecord.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const fromHeaders = new BytesResponse('', { status: 200, headers: new Headers([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-one', '1']]) });
    expect(fromHeaders.headerRecord()).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'x-one': '1' });
  });

  it('setResponseHeader works on any Response', () => {
    const plain = new Response(null, { status: 204 });
    setResponseHeader(plain, 'x-request-id', 'req_2');
    expect(plain.headers.get('x-request-id')).toBe('req_2');
  });
});
