import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { linkByHost } from './link-host';
import { startLinks } from './testing';

/**
 * The seed's link URL (https://proxy.conduit.link/YOUR_LINK_ID/v1/…): a proxy host whose first
 * path segment is the link, on PROXY_HOST and on PROXY_DOMAIN itself — beside /proxy/{id}/… and
 * {id}.{PROXY_DOMAIN}, which keep working.
 */
process.env.PROXY_HOST = 'links.conduit.test';
const links = await startLinks(); // PROXY_DOMAIN=proxy.test
const { generic, link, port } = links;
const { isHotPath } = await import('@/lib/server/hot-path');
afterAll(() => links.close());

const ID = 'l0123456789abcdefghijklm';
const hosts = { proxyHost: 'links.conduit.test', proxyDomain: 'proxy.test' };

/** A request as it arrives, Host header and raw target included (fetch cannot set Host). */
function send(host: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: target, headers: { host, ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('which link a host names', () => {
  it.each([
    ['links.conduit.test', `/${ID}/v1/models`, { kind: 'path', linkId: ID }],
    ['LINKS.conduit.test:443', `/${ID}?x=1`, { kind: 'path', linkId: ID }],
    ['links.conduit.test', `/${ID}`, { kind: 'path', linkId: ID }],
    ['proxy.test', `/${ID}/v1/models`, { kind: 'path', linkId: ID }],
    [`${ID}.proxy.test`, '/v1/models', { kind: 'host', linkId: ID }],
    [`${ID}.proxy.test:3000`, `/${ID}/v1/models`, { kind: 'host', linkId: ID }],
  ])('%s %s is a link', (host, target, expected) => {
    expect(linkByHost(host, target, hosts)).toEqual(expected);
  });

  it.each([
    // Only a first segment shaped like a link id: the app's pages and APIs keep working there.
    ['links.conduit.test', '/login'],
    ['links.conduit.test', '/api/ready'],
    ['proxy.test', '/dashboard'],
    ['proxy.test', `/${ID}x/v1`],
    ['proxy.test', `/${ID.toUpperCase()}/v1`],
    ['links.conduit.test', `/proxy/${ID}/v1/models`],
    ['conduit.test', `/${ID}/v1/models`],
    ['evil-links.conduit.test', `/${ID}/v1/models`],
    [undefined, `/${ID}/v1/models`],
  ])('%s %s is not', (host, target) => {
    expect(linkByHost(host, target, hosts)).toBeUndefined();
  });

  it('names nothing when neither setting is configured', () => {
    expect(linkByHost('links.conduit.test', `/${ID}/v1`, {})).toBeUndefined();
  });

  it('compares ports only when the setting names one', () => {
    expect(linkByHost('links.test:8443', `/${ID}`, { proxyHost: 'links.test:8443' })).toEqual({ kind: 'path', linkId: ID });
    expect(linkByHost('links.test:9000', `/${ID}`, { proxyHost: 'links.test:8443' })).toBeUndefined();
  });

  it('production serves those requests on its hot path, the rest through Next', () => {
    const req = (host: string, url: string) => ({ headers: { host }, url }) as IncomingMessage;
    expect(isHotPath(req('links.conduit.test', `/${ID}/v1/models`))).toBe(true);
    expect(isHotPath(req('proxy.test', `/${ID}/v1/models`))).toBe(true);
    expect(isHotPath(req('links.conduit.test', '/login'))).toBe(false);
    expect(isHotPath(req('127.0.0.1:3000', `/${ID}/v1/models`))).toBe(false);
  });
});

describe(`links called on a proxy host on ${links.label}`, () => {
  it('{PROXY_HOST}/{id}/… and {PROXY_DOMAIN}/{id}/… reach the link, with path and query intact', async () => {
    const { id, token } = await link({ upstream_base_url: generic.url, secret: 'sk-host', injection: { type: 'bearer' }, allowed_paths: ['/v1/models'] });
    for (const host of ['links.conduit.test', `proxy.test:${port}`]) {
      const before = generic.arrivals.length;
      const answer = await send(host, `/${id}/v1/models?limit=2`, { 'x-access-token': token });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ ok: true, path: '/v1/models' });
      const arrival = generic.arrivals.at(-1)!;
      expect(generic.arrivals.length).toBe(before + 1);
      expect(arrival.query.get('limit')).toBe('2');
      expect(arrival.headers.get('authorization')).toBe('Bearer sk-host');
    }
    // The other forms still work.
    expect((await send(`${id}.proxy.test`, '/v1/models', { 'x-access-token': token })).status).toBe(200);
    expect((await send('links.conduit.test', `/proxy/${id}/v1/models`, { 'x-access-token': token })).status).toBe(200);
  });

  it('the same checks apply: paths outside allowed_paths, no token, an unknown id', async () => {
    const { id, token } = await link({ upstream_base_url: generic.url, secret: 'sk-host', injection: { type: 'bearer' }, allowed_paths: ['/v1/models'] });
    expect(await send('links.conduit.test', `/${id}/v1/files`, { 'x-access-token': token })).toMatchObject({ status: 403 });
    expect(JSON.parse((await send('links.conduit.test', `/${id}/v1/models`)).body).error.code).toBe('missing_access_token');
    expect(await send('links.conduit.test', `/${id}/v1/%2e%2e/admin`, { 'x-access-token': token })).toMatchObject({ status: 400 });
    const unknown = await send('links.conduit.test', `/${ID}/v1/models`, { 'x-access-token': token });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('link_not_found');
  });
});
