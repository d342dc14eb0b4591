import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * IP allowlists for API keys: each entry is an IPv4/IPv6 address or CIDR range, and a request
 * passes when its client IP falls in any entry (an empty list allows every IP). Parsing is left
 * to ipaddr.js; this module adds the policy around it. Pure: the key forms validate with it too.
 *
 * Policy, and why:
 * - IPv4 must be plain dotted decimal. ipaddr.js (like inet_aton) reads "010.0.0.1" as octal,
 *   i.e. 8.0.0.1, while people and many other tools read 10.0.0.1; "10.1", "0xa.0.0.1" and
 *   "167772161" are legal spellings of 10.0.0.1 too. In a security list an entry must mean what
 *   it looks like, so anything but four decimal numbers without leading zeros is refused — also
 *   inside IPv6 ("::ffff:010.0.0.1"), where ipaddr.js would read the same octets as decimal.
 * - "::1.2.3.4" is refused: RFC 4291 makes it the deprecated IPv4-compatible ::102:304, but
 *   ipaddr.js reads it as the IPv4-mapped ::ffff:1.2.3.4. Either reading would surprise someone.
 * - Zone indexes ("fe80::1%eth0") are refused in entries: they name one of *our* network
 *   interfaces and mean nothing about a remote client.
 * - Entries are normalised to one spelling per range, so duplicates collapse: host bits are
 *   cleared ("10.1.2.3/8" → "10.0.0.0/8"), a full-length prefix is dropped ("10.0.0.1/32" →
 *   "10.0.0.1"), IPv6 is written per RFC 5952, and IPv4-mapped ranges become IPv4
 *   ("::ffff:10.0.0.0/104" → "10.0.0.0/8").
 * - IPv4 and IPv4-mapped IPv6 are the same client: a dual-stack server reports 10.1.2.3 as
 *   ::ffff:10.1.2.3, and either spelling matches either kind of entry.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = { address: Address; bits: number };
type Problem = 'invalid' | 'loose_ipv4' | 'ipv4_compatible';

export type AllowlistEntryResult = { ok: true; value: string } | { ok: false; message: string };
export type IpMatcher = (ip: string) => boolean;

export const ALLOWLIST_ENTRY_HINT = 'Enter an IP address or CIDR range, e.g. 203.0.113.7 or 10.0.0.0/8';

// The longest real address (IPv6 ending in dotted IPv4, plus a zone) is well under this. The cap
// keeps hostile X-Forwarded-For values from ever reaching the parser's regular expressions.
const MAX_ADDRESS_LENGTH = 64;

const shown = (text: string) => (text.length > MAX_ADDRESS_LENGTH ? `${text.slice(0, MAX_ADDRESS_LENGTH)}…` : text);

const messages: Record<Problem, (entry: string) => string> = {
  invalid: (entry) => `Not an IP address or CIDR range: ${shown(entry)}`,
  loose_ipv4: (entry) =>
    `Ambiguous IPv4 address ${shown(entry)}: write four decimal numbers without leading zeros, e.g. 10.0.0.1`,
  ipv4_compatible: (entry) =>
    `Deprecated IPv4-compatible address ${shown(entry)}: write the IPv4 address itself, e.g. 10.0.0.1`,
};

/** Strictly parses one address (no prefix). A zone index is kept; callers decide about it. */
function parseAddress(text: string): Address | Problem {
  if (text.length > MAX_ADDRESS_LENGTH) return 'invalid';
  if (text.includes(':')) {
    if (!ipaddr.IPv6.isValid(text)) return 'invalid';
    const bare = text.split('%')[0] ?? '';
    if (bare.includes('.')) {
      if (/^::[\d.]+$/.test(bare)) return 'ipv4_compatible';
      if (!ipaddr.IPv4.isValidFourPartDecimal(bare.slice(bare.lastIndexOf(':') + 1))) return 'loose_ipv4';
    }
    return ipaddr.IPv6.parse(text);
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  // Either ipaddr.js accepts it in a non-canonical spelling, or it looks like dotted decimal with
  // a leading zero (e.g. "09.0.0.1", which is not even valid octal): say what to write instead.
  const leadingZero = /^\d+(\.\d+){3}$/.test(text) && /(^|\.)0\d/.test(text);
  return ipaddr.IPv4.isValid(text) || leadingZero ? 'loose_ipv4' : 'invalid';
}

/** The canonical form of a range: mapped IPv4 as IPv4, host bits cleared. */
function canonicalRange(address: Address, bits: number): Range {
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) {
    return canonicalRange(address.toIPv4Address(), bits - 96);
  }
  const kind = address instanceof ipaddr.IPv4 ? ipaddr.IPv4 : ipaddr.IPv6;
  const mask = kind.subnetMaskFromPrefixLength(bits).toByteArray();
  const network = ipaddr.fromByteArray(address.toByteArray().map((byte, i) => byte & (mask[i] ?? 0)));
  return { address: network, bits };
}

function parseRange(input: string): { ok: true; range: Range } | { ok: false; message: string } {
  const entry = input.trim();
  if (entry === '') return { ok: false, message: ALLOWLIST_ENTRY_HINT };
  const slash = entry.indexOf('/');
  const address = parseAddress(slash === -1 ? entry : entry.slice(0, slash));
  if (typeof address === 'string') return { ok: false, message: messages[address](entry) };
  if (address instanceof ipaddr.IPv6 && address.zoneId) {
    return { ok: false, message: `Zone indexes (%${shown(address.zoneId)}) cannot be used in an allowlist: ${shown(entry)}` };
  }

  const [family, full] = address instanceof ipaddr.IPv4 ? ['IPv4', 32] : ['IPv6', 128];
  if (slash === -1) return { ok: true, range: canonicalRange(address, full) };
  const prefix = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) {
    return { ok: false, message: `Prefix length must be a whole number, e.g. /24: ${shown(entry)}` };
  }
  const bits = Number(prefix);
  if (bits > full) return { ok: false, message: `Prefix length /${bits} is too long for ${family} (at most /${full})` };
  return { ok: true, range: canonicalRange(address, bits) };
}

function formatRange({ address, bits }: Range): string {
  const text = address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
  return bits === (address instanceof ipaddr.IPv4 ? 32 : 128) ? text : `${text}/${bits}`;
}

/** Validates one entry as typed by a person and returns its normalised spelling. */
export function parseAllowlistEntry(text: string): AllowlistEntryResult {
  const result = parseRange(text);
  return result.ok ? { ok: true, value: formatRange(result.range) } : result;
}

/** One allowlist entry (string → normalised string), for forms and the management API. */
export const ipAllowlistEntrySchema = z.string({ error: ALLOWLIST_ENTRY_HINT }).transform((text, ctx) => {
  const result = parseAllowlistEntry(text);
  if (result.ok) return result.value;
  ctx.addIssue({ code: 'custom', message: result.message });
  return z.NEVER;
});

/**
 * Parses the list once and returns a matcher for client IPs. An entry that does not parse (it
 * was validated on save, so this means corrupt data) is skipped, which narrows access: a list
 * whose entries are all bad lets no one in, never everyone.
 */
export function compileAllowlist(allowlist: readonly string[]): IpMatcher {
  if (allowlist.length === 0) return () => true;
  const v4: [ipaddr.IPv4, number][] = [];
  const v6: [ipaddr.IPv6, number][] = [];
  for (const entry of allowlist) {
    const result = parseRange(entry);
    if (!result.ok) continue;
    const { address, bits } = result.range;
    if (address instanceof ipaddr.IPv4) v4.push([address, bits]);
    else v6.push([address, bits]);
  }

  return (ip) => {
    // Client IPs come from our own server entry, which writes canonical addresses; anything the
    // strict parser refuses is not one of ours and matches nothing. A zone index is ignored.
    const parsed = parseAddress(ip);
    if (typeof parsed === 'string') return false;
    const address = parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed;
    if (address instanceof ipaddr.IPv6) return v6.some((range) => address.match(range));
    if (v4.some((range) => address.match(range))) return true;
    if (v6.length === 0) return false;
    // An IPv6 range wider than ::ffff:0:0/96 (say ::/0) also holds every IPv4 client.
    const mapped = address.toIPv4MappedAddress();
    return v6.some((range) => mapped.match(range));
  };
}

// Per-process cache of compiled lists: ipAllowed runs on every request and the same few lists
// come back again and again. Least recently used lists are dropped past the limit.
const CACHE_LIMIT = 1_000;
const compiled = new Map<string, IpMatcher>();

/** Whether `ip` may use something guarded by `allowlist` (empty = any IP). Hot path: cached. */
export function ipAllowed(ip: string, allowlist: readonly string[]): boolean {
  if (allowlist.length === 0) return true;
  // JSON, not join(','): ["10.0.0.1,10.0.0.2"] (one bad entry, so no access) must never share a
  // slot with ["10.0.0.1", "10.0.0.2"].
  const key = JSON.stringify(allowlist);
  let matcher = compiled.get(key);
  if (matcher) {
    compiled.delete(key);
  } else {
    matcher = compileAllowlist(allowlist);
    const oldest = compiled.size >= CACHE_LIMIT ? compiled.keys().next().value : undefined;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  compiled.set(key, matcher);
  return matcher(ip);
}

/**
 * The part of a client address a per-address limit should count: an IPv4 address as it is (an
 * IPv4-mapped IPv6 one as its IPv4), an IPv6 address as its /64 — one subscriber's network, in which
 * a client can pick any of 2^64 addresses and would otherwise get a fresh allowance with each.
 * Anything unparsable is counted as given.
 */
export function limitingAddress(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(':')}::/64`;
}
