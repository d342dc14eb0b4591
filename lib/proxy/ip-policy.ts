import 'server-only';
import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses an upstream (or a JWKS host) may have: public unicast only. Everything
 * ipaddr.js classifies as anything but `unicast` is refused — loopback, RFC 1918, link-local
 * (169.254.169.254 is the cloud metadata service), CGNAT, multicast, 0/8, broadcast, and the
 * reserved, documentation and benchmarking ranges too: none is a real API, and 198.18/15 and
 * TEST-NETs are used inside some networks (fake-IP DNS, labs).
 *
 * IPv6 forms that carry an IPv4 address are judged by that address, so ::ffff:127.0.0.1,
 * ::ffff:7f00:1, 64:ff9b::7f00:1 (NAT64) and 2002:7f00:1:: (6to4) are loopback, while NAT64
 * and 6to4 forms of public addresses stay allowed (IPv6-only hosts reach IPv4 APIs that way).
 * Refused outright: IPv4-compatible ::/96 (deprecated; some stacks route it to the IPv4),
 * local-use NAT64 64:ff9b:1::/48 (RFC 8215: where the IPv4 sits depends on the site), and
 * Teredo (its embedded addresses are obfuscated; nobody hosts an API there).
 */

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

const IPV4_LABEL: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  reserved: 'reserved',
};

const v4From = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

/** Why `address` must not be connected to, or null when it is public unicast. */
export function blockedReason(address: IpAddress): string | null {
  if (address.kind() === 'ipv4') {
    const range = (address as ipaddr.IPv4).range();
    return range === 'unicast' ? null : (IPV4_LABEL[range] ?? range);
  }
  const v6 = address as ipaddr.IPv6;
  // A zone (fe80::1%eth0) names one of OUR interfaces.
  if (v6.zoneId) return 'zoned';
  const p = v6.parts as [number, number, number, number, number, number, number, number];
  const embedded = (kind: string, v4: ipaddr.IPv4) => {
    const reason = blockedReason(v4);
    return reason === null ? null : `${kind} ${reason} ${v4.toString()}`;
  };
  if (p.slice(0, 6).every((part) => part === 0)) {
    if (p[7] === 0 && p[6] === 0) return 'unspecified';
    if (p[7] === 1 && p[6] === 0) return 'loopback';
    return `IPv4-compatible ${v4From(p[6], p[7]).toString()}`;
  }
  const range = v6.range();
  switch (range) {
    case 'unicast':
      return null;
    case 'ipv4Mapped':
      return embedded('IPv4-mapped', v6.toIPv4Address());
    case 'rfc6145':
      return embedded('IPv4-translated', v4From(p[6], p[7]));
    case 'rfc6052':
      return p[2] === 0 ? embedded('NAT64', v4From(p[6], p[7])) : 'local-use NAT64';
    case '6to4':
      return embedded('6to4', v4From(p[1], p[2]));
    case 'uniqueLocal':
      return 'unique local';
    case 'linkLocal':
      return 'link-local';
    default:
      return range;
  }
}

/**
 * Strictly parses an IP literal: dotted-decimal IPv4 (what `new URL()` and DNS produce; other
 * spellings never reach here) or IPv6, with or without URL brackets. Null when not an IP.
 */
export function parseIpLiteral(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare);
  if (bare.includes(':') && ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare);
  return null;
}
