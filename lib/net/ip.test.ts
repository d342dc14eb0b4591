import ipaddr from 'ipaddr.js';
import { describe, expect, it, vi } from 'vitest';
import { compileAllowlist, ipAllowed, ipAllowlistEntrySchema, parseAllowlistEntry } from './ip';

const normalised = (text: string) => {
  const result = parseAllowlistEntry(text);
  return result.ok ? result.value : `error: ${result.message}`;
};
const messageOf = (text: string) => {
  const result = parseAllowlistEntry(text);
  return result.ok ? undefined : result.message;
};

describe('allowlist entries', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 10.0.0.0/8 ', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'], // host bits cleared: the entry says what it really covers
    ['10.0.0.1/32', '10.0.0.1'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.77/0', '0.0.0.0/0'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:db8:1234::1/32', '2001:db8::/32'],
    ['2001:db8::1/128', '2001:db8::1'],
    ['::/0', '::/0'],
    ['::1', '::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::ffff:a01:203', '10.1.2.3'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    ['::ffff:0:0/80', '::/80'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['10.0.0.0/08', '10.0.0.0/8'], // a prefix is always decimal; no ambiguity to refuse
  ])('accepts %j as %j', (input, value) => {
    expect(normalised(input)).toBe(value);
    expect(ipAllowlistEntrySchema.parse(input)).toBe(value);
  });

  it.each([
    ['10.0.0.300', 'Not an IP address or CIDR range: 10.0.0.300'],
    ['10.0.0.300/8', 'Not an IP address or CIDR range: 10.0.0.300/8'],
    ['example.com', 'Not an IP address or CIDR range: example.com'],
    ['1.2.3.4.5', 'Not an IP address or CIDR range: 1.2.3.4.5'],
    ['1::2::3', 'Not an IP address or CIDR range: 1::2::3'],
    ['12345::1', 'Not an IP address or CIDR range: 12345::1'],
    ['/8', 'Not an IP address or CIDR range: /8'],
    ['10.0.0.0 /8', 'Not an IP address or CIDR range: 10.0.0.0 /8'],
    ['10.0.0.0/33', 'Prefix length /33 is too long for IPv4 (at most /32)'],
    ['::ffff:10.0.0.0/129', 'Prefix length /129 is too long for IPv6 (at most /128)'],
    ['2001:db8::/129', 'Prefix length /129 is too long for IPv6 (at most /128)'],
    ['10.0.0.0/', 'Prefix length must be a whole number, e.g. /24: 10.0.0.0/'],
    ['10.0.0.0/-1', 'Prefix length must be a whole number, e.g. /24: 10.0.0.0/-1'],
    ['10.0.0.0/8/8', 'Prefix length must be a whole number, e.g. /24: 10.0.0.0/8/8'],
    ['10.0.0.0/1000', 'Prefix length must be a whole number, e.g. /24: 10.0.0.0/1000'],
    ['fe80::1%eth0', 'Zone indexes (%eth0) cannot be used in an allowlist: fe80::1%eth0'],
    ['', 'Enter an IP address or CIDR range, e.g. 203.0.113.7 or 10.0.0.0/8'],
    ['   ', 'Enter an IP address or CIDR range, e.g. 203.0.113.7 or 10.0.0.0/8'],
  ])('refuses %j: %s', (input, message) => {
    expect(messageOf(input)).toBe(message);
    expect(ipAllowlistEntrySchema.safeParse(input).error?.issues[0]?.message).toBe(message);
  });

  // ipaddr.js would read 010.0.0.1 as octal (8.0.0.1); people mean 10.0.0.1. Refuse, never guess.
  it.each(['010.0.0.1', '10.0.0.01', '09.0.0.1', '0xa.0.0.1', '10.1', '167772161', '010.0.0.0/8', '::ffff:010.0.0.1', '::ffff:0xa.0.0.1'])(
    'refuses the ambiguous IPv4 spelling %j',
    (input) => {
      expect(messageOf(input)).toBe(
        `Ambiguous IPv4 address ${input}: write four decimal numbers without leading zeros, e.g. 10.0.0.1`,
      );
    },
  );

  it('refuses the deprecated IPv4-compatible form that ipaddr.js would read as IPv4-mapped', () => {
    expect(messageOf('::1.2.3.4')).toBe(
      'Deprecated IPv4-compatible address ::1.2.3.4: write the IPv4 address itself, e.g. 10.0.0.1',
    );
  });

  it('does not echo huge input back', () => {
    const message = messageOf('9'.repeat(10_000)) ?? '';
    expect(message.length).toBeLessThan(200);
  });

  it('refuses non-strings', () => {
    expect(ipAllowlistEntrySchema.safeParse(42).error?.issues[0]?.message).toMatch(/Enter an IP address/);
  });
});

describe('matching client IPs', () => {
  it('allows everyone when the list is empty', () => {
    expect(ipAllowed('203.0.113.7', [])).toBe(true);
    expect(ipAllowed('not an ip', [])).toBe(true);
  });

  it('matches IPv4 addresses exactly and by CIDR', () => {
    const list = ['203.0.113.7', '10.0.0.0/8', '192.168.1.0/24'];
    expect(ipAllowed('203.0.113.7', list)).toBe(true);
    expect(ipAllowed('203.0.113.8', list)).toBe(false);
    expect(ipAllowed('10.255.255.255', list)).toBe(true);
    expect(ipAllowed('11.0.0.0', list)).toBe(false);
    expect(ipAllowed('192.168.1.255', list)).toBe(true);
    expect(ipAllowed('192.168.2.0', list)).toBe(false);
  });

  it('matches IPv6 addresses exactly and by CIDR', () => {
    const list = ['2001:db8::/32', '2001:db9::1'];
    expect(ipAllowed('2001:db8::1', list)).toBe(true);
    expect(ipAllowed('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', list)).toBe(true);
    expect(ipAllowed('2001:db9::1', list)).toBe(true);
    expect(ipAllowed('2001:0db9:0000::0001', list)).toBe(true);
    expect(ipAllowed('2001:db9::2', list)).toBe(false);
    expect(ipAllowed('2001:dba::', list)).toBe(false);
    expect(ipAllowed('10.0.0.1', list)).toBe(false);
  });

  it('treats an IPv4 client and its IPv4-mapped IPv6 spelling as the same client', () => {
    expect(ipAllowed('::ffff:10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(ipAllowed('::ffff:a01:203', ['10.0.0.0/8'])).toBe(true);
    expect(ipAllowed('::ffff:11.1.2.3', ['10.0.0.0/8'])).toBe(false);
    expect(ipAllowed('10.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(true);
    expect(ipAllowed('10.1.2.3', ['::ffff:10.1.2.3'])).toBe(true);
    expect(ipAllowed('11.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(false);
    // ::/0 holds ::ffff:0:0/96, so IPv4 clients too; 2001:db8::/32 does not.
    expect(ipAllowed('10.1.2.3', ['::/0'])).toBe(true);
    expect(ipAllowed('10.1.2.3', ['2001:db8::/32'])).toBe(false);
  });

  it('handles /0, /32 and /128', () => {
    expect(ipAllowed('1.2.3.4', ['0.0.0.0/0'])).toBe(true);
    expect(ipAllowed('::ffff:1.2.3.4', ['0.0.0.0/0'])).toBe(true);
    expect(ipAllowed('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
    expect(ipAllowed('2001:db8::1', ['::/0'])).toBe(true);
    expect(ipAllowed('1.2.3.4', ['1.2.3.4/32'])).toBe(true);
    expect(ipAllowed('1.2.3.5', ['1.2.3.4/32'])).toBe(false);
    expect(ipAllowed('2001:db8::1', ['2001:db8::1/128'])).toBe(true);
    expect(ipAllowed('2001:db8::2', ['2001:db8::1/128'])).toBe(false);
  });

  it.each(['', 'garbage', '10.0.0.300', '010.0.0.1', '10.1', '167772161', ' 10.0.0.1', '10.0.0.1/8', 'x'.repeat(10_000)])(
    'never lets the unparsable client IP %j through a non-empty list',
    (ip) => {
      expect(ipAllowed(ip, ['0.0.0.0/0', '::/0'])).toBe(false);
    },
  );

  it('ignores a zone index on the client side', () => {
    expect(ipAllowed('fe80::1%eth0', ['fe80::/10'])).toBe(true);
  });

  it('fails closed on entries that do not parse', () => {
    expect(ipAllowed('10.0.0.1', ['not an ip'])).toBe(false);
    expect(ipAllowed('10.0.0.1', ['010.0.0.1'])).toBe(false);
    expect(ipAllowed('8.0.0.1', ['010.0.0.1'])).toBe(false);
    expect(ipAllowed('10.0.0.1', ['garbage', '10.0.0.0/8'])).toBe(true);
  });

  it('never confuses two lists in its cache', () => {
    // join(',') would give both lists the same key; the first one is a single bad entry.
    expect(ipAllowed('10.0.0.2', ['10.0.0.1', '10.0.0.2'])).toBe(true);
    expect(ipAllowed('10.0.0.2', ['10.0.0.1,10.0.0.2'])).toBe(false);
    expect(ipAllowed('10.0.0.2', ['10.0.0.1\n10.0.0.2'])).toBe(false);
  });

  it('parses each entry of a list once, however many requests it checks', () => {
    const list = ['198.51.100.0/24', '2001:db8:aaaa::/48'];
    const masks = [vi.spyOn(ipaddr.IPv4, 'subnetMaskFromPrefixLength'), vi.spyOn(ipaddr.IPv6, 'subnetMaskFromPrefixLength')];
    for (let i = 0; i < 100; i++) expect(ipAllowed(`198.51.100.${i}`, [...list])).toBe(true);
    expect(masks.reduce((calls, spy) => calls + spy.mock.calls.length, 0)).toBe(list.length);
    for (const spy of masks) spy.mockRestore();
  });

  it('gives the same answers from a compiled matcher, beyond the cache size', () => {
    for (let i = 0; i < 1_200; i++) {
      const list = [`10.${i % 256}.${i >> 8}.0/24`];
      expect(ipAllowed(`10.${i % 256}.${i >> 8}.9`, list)).toBe(true);
      expect(ipAllowed(`10.${i % 256}.${(i >> 8) + 1}.9`, list)).toBe(false);
    }
    const matcher = compileAllowlist(['10.0.0.0/8', '2001:db8::/32']);
    expect(matcher('10.9.9.9')).toBe(true);
    expect(matcher('::ffff:10.9.9.9')).toBe(true);
    expect(matcher('2001:db8::5')).toBe(true);
    expect(matcher('192.0.2.1')).toBe(false);
  });
});
