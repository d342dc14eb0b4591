import { describe, expect, it, vi } from 'vitest';
import { checkJwksUrl, checkUpstreamBase, resolveAndCheck, type ResolvedAddress } from './ssrf';

/**
 * Attack corpus for Conduit Link's security core: each row is one way people have tried to get
 * a proxy to forward something it was not configured to, with the exact refusal expected. This file:
 * SSRF: upstream and JWKS URL checks, and request-time resolution.
 */

describe('SSRF: upstream and JWKS URLs', () => {
  const strict = { allowPrivate: false };
  const refused = (reason: string) => ({ ok: false, reason });

  it.each([
    ['loopback', 'https://127.0.0.1', 'address 127.0.0.1 is not public (loopback)'],
    ['decimal', 'https://2130706433', 'address 127.0.0.1 is not public (loopback)'],
    ['hex dotted', 'https://0x7f.0.0.1', 'address 127.0.0.1 is not public (loopback)'],
    ['hex single number', 'https://0x7f000001', 'address 127.0.0.1 is not public (loopback)'],
    ['octal dotted', 'https://0177.0.0.1', 'address 127.0.0.1 is not public (loopback)'],
    ['octal single number', 'https://017700000001', 'address 127.0.0.1 is not public (loopback)'],
    ['short form', 'https://127.1', 'address 127.0.0.1 is not public (loopback)'],
    ['trailing dot', 'https://127.0.0.1.', 'address 127.0.0.1 is not public (loopback)'],
    ['zero', 'https://0', 'address 0.0.0.0 is not public (unspecified)'],
    ['10/8', 'https://10.0.0.1', 'address 10.0.0.1 is not public (private)'],
    ['172.16/12', 'https://172.31.255.255', 'address 172.31.255.255 is not public (private)'],
    ['192.168/16', 'https://192.168.1.1', 'address 192.168.1.1 is not public (private)'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data', 'address 169.254.169.254 is not public (link-local)'],
    ['CGNAT', 'https://100.64.0.1', 'address 100.64.0.1 is not public (carrier-grade NAT)'],
    ['multicast', 'https://224.0.0.1', 'address 224.0.0.1 is not public (multicast)'],
    ['broadcast', 'https://255.255.255.255', 'address 255.255.255.255 is not public (broadcast)'],
    ['documentation range', 'https://192.0.2.1', 'address 192.0.2.1 is not public (reserved)'],
    ['IPv6 loopback', 'https://[::1]', 'address [::1] is not public (loopback)'],
    ['IPv6 unspecified', 'https://[::]', 'address [::] is not public (unspecified)'],
    ['IPv6 unique local', 'https://[fd12:3456::1]', 'address [fd12:3456::1] is not public (unique local)'],
    ['IPv6 link-local', 'https://[fe80::1]', 'address [fe80::1] is not public (link-local)'],
    ['IPv6 multicast', 'https://[ff02::1]', 'address [ff02::1] is not public (multicast)'],
    ['IPv4-mapped dotted', 'https://[::ffff:127.0.0.1]', 'address [::ffff:7f00:1] is not public (IPv4-mapped loopback 127.0.0.1)'],
    ['IPv4-mapped hex', 'https://[::ffff:7f00:1]', 'address [::ffff:7f00:1] is not public (IPv4-mapped loopback 127.0.0.1)'],
    ['IPv4-mapped metadata', 'https://[::ffff:169.254.169.254]', 'address [::ffff:a9fe:a9fe] is not public (IPv4-mapped link-local 169.254.169.254)'],
    ['IPv4-compatible', 'https://[::127.0.0.1]', 'address [::7f00:1] is not public (IPv4-compatible 127.0.0.1)'],
    ['NAT64 of loopback', 'https://[64:ff9b::127.0.0.1]', 'address [64:ff9b::7f00:1] is not public (NAT64 loopback 127.0.0.1)'],
    ['NAT64 of private', 'https://[64:ff9b::10.0.0.1]', 'address [64:ff9b::a00:1] is not public (NAT64 private 10.0.0.1)'],
    ['local-use NAT64', 'https://[64:ff9b:1::a00:1]', 'address [64:ff9b:1::a00:1] is not public (local-use NAT64)'],
    ['6to4 of loopback', 'https://[2002:7f00:1::]', 'address [2002:7f00:1::] is not public (6to4 loopback 127.0.0.1)'],
    ['6to4 of metadata', 'https://[2002:a9fe:a9fe::1]', 'address [2002:a9fe:a9fe::1] is not public (6to4 link-local 169.254.169.254)'],
    ['Teredo', 'https://[2001:0:4136:e378::1]', 'address [2001:0:4136:e378::1] is not public (teredo)'],
    ['IPv6 documentation', 'https://[2001:db8::1]', 'address [2001:db8::1] is not public (reserved)'],
    ['localhost', 'https://localhost', 'host localhost is an internal name'],
    ['LOCALHOST. (case, trailing dot)', 'https://LOCALHOST.', 'host localhost. is an internal name'],
    ['*.localhost', 'https://api.localhost', 'host api.localhost is an internal name'],
    ['GCP metadata', 'https://metadata.google.internal', 'host metadata.google.internal is an internal name'],
    ['mDNS', 'https://printer.local', 'host printer.local is an internal name'],
    ['localhost.localdomain', 'https://localhost.localdomain', 'host localhost.localdomain is an internal name'],
    ['Kubernetes service', 'https://kubernetes.default.svc', 'host kubernetes.default.svc is an internal name'],
    ['single label', 'https://redis:6379', 'host redis is not a fully qualified domain name'],
    ['userinfo hiding the real host', 'https://api.openai.com@127.0.0.1', 'URL must contain neither a username nor a password'],
    ['credentials', 'https://user:pass@api.openai.com', 'URL must contain neither a username nor a password'],
    ['plain http', 'http://api.openai.com', 'URL must use https'],
    ['file', 'file:///etc/passwd', 'URL must use https'],
    ['javascript', 'javascript:alert(1)', 'URL must use https'],
    ['fragment', 'https://api.openai.com/v1#x', 'URL must not contain a fragment'],
    ['empty fragment', 'https://api.openai.com/#', 'URL must not contain a fragment'],
    ['query', 'https://api.openai.com/v1?x=1', 'URL must not contain a query string'],
    ['encoded slash in the base path', 'https://api.example.com/v1%2Fadmin', 'URL path is not canonical: encoded slash (%2F) in path'],
    ['not a URL', 'api.openai.com', 'not a valid URL'],
  ])('checkUpstreamBase refuses %s', (_, url, reason) => {
    expect(checkUpstreamBase(url, strict)).toEqual(refused(reason));
  });

  it('accepts public hosts, including NAT64 and IPv6 forms of public addresses', () => {
    for (const url of ['https://api.openai.com', 'https://api.twilio.com/2010-04-01', 'https://8.8.8.8', 'https://[2606:4700::6810:1]', 'https://[64:ff9b::8.8.8.8]', 'https://api.example.com:8443/v1']) {
      expect(checkUpstreamBase(url, strict)).toMatchObject({ ok: true });
    }
  });

  it('allowPrivate (self-hosting, tests) allows private hosts and http, but still no credentials', () => {
    const open = { allowPrivate: true };
    expect(checkUpstreamBase('http://127.0.0.1:8080/v1', open)).toMatchObject({ ok: true });
    expect(checkUpstreamBase('http://localhost:3000', open)).toMatchObject({ ok: true });
    expect(checkUpstreamBase('http://a@127.0.0.1', open)).toEqual(refused('URL must contain neither a username nor a password'));
    expect(checkUpstreamBase('ftp://127.0.0.1', open)).toEqual(refused('URL must use https or http'));
  });

  it('JWKS URLs follow the same rules but may carry a query', () => {
    expect(checkJwksUrl('https://tenant.b2clogin.com/tenant.onmicrosoft.com/discovery/v2.0/keys?p=b2c_1_signin', strict)).toMatchObject({ ok: true });
    expect(checkJwksUrl('https://169.254.169.254/jwks', strict)).toEqual(refused('address 169.254.169.254 is not public (link-local)'));
  });
});

describe('SSRF at request time: resolve, then refuse if ANY address is private', () => {
  const answer = (...addresses: string[]) => vi.fn(async (): Promise<ResolvedAddress[]> => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  const strict = (resolver: (hostname: string) => Promise<ResolvedAddress[]>) => ({ allowPrivate: false, resolver });

  it.each([
    ['a wildcard-DNS name for loopback', '127.0.0.1.nip.io', ['127.0.0.1'], 'host 127.0.0.1.nip.io resolves to 127.0.0.1, which is not public (loopback)'],
    ['rebinding: one private address among public ones', 'api.rebind.example', ['93.184.216.34', '10.0.0.5'], 'host api.rebind.example resolves to 10.0.0.5, which is not public (private)'],
    ['an IPv6 answer mapping the metadata service', 'meta.example', ['2606:4700::1', '::ffff:169.254.169.254'], 'host meta.example resolves to ::ffff:169.254.169.254, which is not public (IPv4-mapped link-local 169.254.169.254)'],
    ['an AAAA for ::1', 'v6.example', ['::1'], 'host v6.example resolves to ::1, which is not public (loopback)'],
  ])('refuses %s', async (_, hostname, addresses, reason) => {
    expect(await resolveAndCheck(hostname, strict(answer(...addresses)))).toEqual({ ok: false, reason });
  });

  it('returns the addresses when all are public', async () => {
    expect(await resolveAndCheck('api.openai.com', strict(answer('104.18.6.192', '2606:4700::6812:6c0')))).toEqual({
      ok: true,
      addresses: [
        { address: '104.18.6.192', family: 4 },
        { address: '2606:4700::6812:6c0', family: 6 },
      ],
    });
  });

  it('refuses internal names and private literals without resolving them', async () => {
    const resolver = answer('8.8.8.8');
    expect(await resolveAndCheck('metadata.google.internal', strict(resolver))).toEqual({ ok: false, reason: 'host metadata.google.internal is an internal name' });
    expect(await resolveAndCheck('[::1]', strict(resolver))).toEqual({ ok: false, reason: 'address [::1] is not public (loopback)' });
    expect(await resolveAndCheck('8.8.8.8', strict(resolver))).toEqual({ ok: true, addresses: [{ address: '8.8.8.8', family: 4 }] });
    expect(resolver).not.toHaveBeenCalled();
  });

  it('fails closed when resolution fails, is empty, or hangs', async () => {
    const failing = vi.fn(async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })));
    expect(await resolveAndCheck('nx.example', strict(failing))).toEqual({ ok: false, reason: 'host nx.example could not be resolved', unresolved: true });
    expect(await resolveAndCheck('empty.example', strict(answer()))).toEqual({ ok: false, reason: 'host empty.example has no addresses', unresolved: true });
    const hanging = () => new Promise<ResolvedAddress[]>(() => {});
    expect(await resolveAndCheck('slow.example', { ...strict(hanging), timeoutMs: 10 })).toEqual({ ok: false, reason: 'host slow.example could not be resolved', unresolved: true });
  });

  it('allowPrivate returns private addresses as they are', async () => {
    expect(await resolveAndCheck('db.example', { allowPrivate: true, resolver: answer('10.0.0.5') })).toMatchObject({ ok: true });
  });
});
