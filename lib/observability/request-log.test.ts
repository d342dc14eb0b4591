import { describe, expect, it } from 'vitest';
import { loggedPath, surfaceOf } from './request-log';

const LINK = 'l0123456789abcdefghijklm';

describe('the request log', () => {
  it('names the surface of every kind of request, query strings aside', () => {
    expect(surfaceOf('/v1/chat/completions', undefined)).toBe('v1');
    expect(surfaceOf('/proxy/lnk_1/v1/models?key=x', undefined)).toBe('link');
    expect(surfaceOf('/v1/models', { kind: 'host', linkId: 'lnk_1' })).toBe('link');
    expect(surfaceOf(`/${LINK}/v1/models`, { kind: 'path', linkId: LINK })).toBe('link');
    expect(surfaceOf('/api/v1/keys?limit=5', undefined)).toBe('management');
    expect(surfaceOf('/metrics?x=1', undefined)).toBe('api');
    expect(surfaceOf('/api/ready', undefined)).toBe('api');
    expect(surfaceOf('/favicon.ico?v=2', undefined)).toBe('static');
    expect(surfaceOf('/_next/static/chunks/a.js', undefined)).toBe('static');
    expect(surfaceOf('/keys/key_1', undefined)).toBe('dashboard');
  });

  it('never logs a query string, nor a link path past its id', () => {
    const secret = 'AIza-secret-in-the-query';
    for (const [url, surface, host, logged] of [
      [`/proxy/lnk_1?key=${secret}`, 'link', undefined, '/proxy/lnk_1'],
      [`/proxy/lnk_1/maps/api?key=${secret}`, 'link', undefined, '/proxy/lnk_1'],
      [`/proxy/lnk_1/bot${secret}/send`, 'link', undefined, '/proxy/lnk_1'],
      [`/v1/bot${secret}?key=${secret}`, 'link', { kind: 'host', linkId: 'lnk_2' }, '{host:lnk_2}'],
      [`/${LINK}/bot${secret}/send?key=${secret}`, 'link', { kind: 'path', linkId: LINK }, `/${LINK}`],
      [`/v1/models?api_key=${secret}`, 'v1', undefined, '/v1/models'],
      [`/reset-password?token=${secret}`, 'dashboard', undefined, '/reset-password'],
    ] as const) {
      expect(loggedPath(url, surface, host)).toBe(logged);
    }
  });
});
