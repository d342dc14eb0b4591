import { describe, expect, it } from 'vitest';
import { publicOrigin } from './public-origin';

const headers = (record: Record<string, string>) => new Headers(record);

describe('public origin', () => {
  it('with no proxy in front, is plain http on the Host header, whatever X-Forwarded-* a client sends', () => {
    expect(publicOrigin(headers({ host: 'conduit.example.com:3000' }), 0).origin).toBe('http://conduit.example.com:3000');
    const forged = headers({ host: 'conduit.example.com', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(publicOrigin(forged, 0)).toEqual({ protocol: 'http', host: 'conduit.example.com', origin: 'http://conduit.example.com' });
  });

  it('behind a trusted proxy, is what the proxy forwarded', () => {
    const forwarded = headers({ host: '10.0.0.5:3000', 'x-forwarded-host': 'Conduit.Example.com', 'x-forwarded-proto': 'https' });
    expect(publicOrigin(forwarded, 1).origin).toBe('https://conduit.example.com');
    // A proxy that forwards the proto but passes the browser's Host on.
    expect(publicOrigin(headers({ host: 'conduit.example.com', 'x-forwarded-proto': 'https' }), 1).origin).toBe('https://conduit.example.com');
  });

  it('takes the entry our outermost proxy wrote when proxies append, not one a client put in front', () => {
    const appended = headers({ host: 'lb', 'x-forwarded-host': 'evil.example, conduit.example.com', 'x-forwarded-proto': 'http, https' });
    expect(publicOrigin(appended, 1).origin).toBe('https://conduit.example.com');
    const twoProxies = headers({ host: 'lb', 'x-forwarded-host': 'evil.example, conduit.example.com, cdn-edge', 'x-forwarded-proto': 'https, https, http' });
    expect(publicOrigin(twoProxies, 2).origin).toBe('https://conduit.example.com');
  });

  it('drops the default port and refuses what is not a host', () => {
    expect(publicOrigin(headers({ host: 'x', 'x-forwarded-host': 'conduit.example.com:443', 'x-forwarded-proto': 'https' }), 1).origin).toBe('https://conduit.example.com');
    expect(publicOrigin(headers({ host: 'conduit.example.com:80' }), 0).origin).toBe('http://conduit.example.com');
    expect(publicOrigin(headers({ host: 'conduit.example.com', 'x-forwarded-host': 'evil.example/path@x' }), 1).host).toBe('conduit.example.com');
    expect(publicOrigin(headers({ host: 'bad host' }), 0).host).toBe('localhost');
    expect(publicOrigin(headers({}), 0, '127.0.0.1:3000').origin).toBe('http://127.0.0.1:3000');
  });

  it('gives the same answer when read again from what it wrote (proxy.ts writes it back)', () => {
    const first = publicOrigin(headers({ host: 'lb', 'x-forwarded-host': 'a.example, conduit.example.com', 'x-forwarded-proto': 'http, https' }), 1);
    expect(publicOrigin(headers({ host: 'lb', 'x-forwarded-host': first.host, 'x-forwarded-proto': first.protocol }), 1)).toEqual(first);
  });
});
