import { describe, expect, it } from 'vitest';
import { clientIp } from './request-ip';

const headers = (xff?: string) => new Headers(xff ? { 'x-forwarded-for': xff } : {});

describe('client IP', () => {
  // lib/server/start.mjs always appends the TCP peer, so the last entry is real.
  it('with no proxy in front, is the TCP peer even when the client forges the header', () => {
    expect(clientIp(headers('6.6.6.6, 203.0.113.9'), 0)).toBe('203.0.113.9');
  });

  it('behind one trusted proxy, is the address that proxy saw', () => {
    expect(clientIp(headers('6.6.6.6, 198.51.100.4, 10.0.0.2'), 1)).toBe('198.51.100.4');
  });

  it('never goes further left than the header reaches', () => {
    expect(clientIp(headers('10.0.0.2'), 3)).toBe('10.0.0.2');
    expect(clientIp(headers(), 0)).toBeUndefined();
  });
});
