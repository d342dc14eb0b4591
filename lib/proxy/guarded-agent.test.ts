import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedByGuard, createGuardedAgent, guardedLookup, unresolvedHost } from './guarded-agent';
import { resolveAndCheck, type ResolvedAddress, type Resolver } from './ssrf';

// DNS rebinding: the address a proxy connects to must be the one that passed the SSRF rules.

const answers = (...rounds: string[][]): Resolver => {
  let call = 0;
  return async () => (rounds[Math.min(call++, rounds.length - 1)] ?? []).map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
};

let hits = 0;
const internal = createServer((_req, res) => {
  hits++;
  res.end('internal secrets');
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  port = (internal.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => internal.close(() => resolve())));

describe('the guarded connection pool', () => {
  it('never connects to a private address, even when the check before the request saw a public one', async () => {
    // Public for the check, loopback for the connect: the classic rebinding answer with TTL 0.
    const resolver = answers(['93.184.215.14'], ['127.0.0.1']);
    expect(await resolveAndCheck('rebind.example', { allowPrivate: false, resolver })).toMatchObject({ ok: true });
    const error = await fetch(`http://rebind.example:${port}/`, { dispatcher: createGuardedAgent(resolver) } as RequestInit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(blockedByGuard(error)).toBe(true);
    expect(hits).toBe(0);
  });

  it('refuses a mixed answer (one private address among public ones)', async () => {
    const error = await fetch(`http://mixed.example:${port}/`, { dispatcher: createGuardedAgent(answers(['93.184.215.14', '10.0.0.7'])) } as RequestInit).catch((e: unknown) => e);
    expect(blockedByGuard(error)).toBe(true);
    expect(hits).toBe(0);
  });

  it('tells a name that does not resolve apart from a refused address', async () => {
    const nxdomain: Resolver = async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND nx.example'), { code: 'ENOTFOUND' }));
    for (const resolver of [nxdomain, answers([])]) {
      const error = await fetch(`http://nx.example:${port}/`, { dispatcher: createGuardedAgent(resolver) } as RequestInit).catch((e: unknown) => e);
      expect(unresolvedHost(error)).toBe(true);
      expect(blockedByGuard(error)).toBe(false);
    }
    const refused = await fetch(`http://private.example:${port}/`, { dispatcher: createGuardedAgent(answers(['10.0.0.7'])) } as RequestInit).catch((e: unknown) => e);
    expect(unresolvedHost(refused)).toBe(false);
    expect(hits).toBe(0);
  });

  it('hands the vetted addresses to the connection, all of them or the first', async () => {
    const lookup = guardedLookup(answers(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']));
    const all = await new Promise((resolve) => lookup('api.example', { all: true }, (error, addresses) => resolve({ error, addresses })));
    expect(all).toEqual({ error: null, addresses: [{ address: '93.184.215.14', family: 4 }, { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 }] });
    const one = await new Promise((resolve) => lookup('api.example', {}, (error, address, family) => resolve({ error, address, family })));
    expect(one).toEqual({ error: null, address: '93.184.215.14', family: 4 });
  });
});
