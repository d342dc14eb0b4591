import 'server-only';
import type { KeyRecord } from '@/lib/keys/record';
import { verifyKey } from '@/lib/keys/verify';
import { ipAllowed } from '@/lib/net/ip';
import { clientIp } from '@/lib/request-ip';
import { refuseIp, refuseKey } from './refusals';

/** Checks 1 and 2: the key (Authorization: Bearer condt_…) and the client's IP. */
export async function authorizeKey(request: Request): Promise<KeyRecord> {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const verification = await verifyKey(match?.[1]);
  if (verification.status !== 'VALID') throw refuseKey(verification.status);
  return checkClientIp(request, verification.key);
}

/**
 * The same checks for a key the caller already holds by id (the dashboard's playground, whose
 * member picked one of the organization's keys: no secret travels). A disabled or expired key
 * is refused as it would be with its secret, and its IP allowlist applies to the browser.
 */
export function authorizeKnownKey(request: Request, key: KeyRecord, now = Date.now()): KeyRecord {
  if (!key.enabled) throw refuseKey('DISABLED');
  if (key.expiresAt !== null && key.expiresAt <= now) throw refuseKey('EXPIRED');
  return checkClientIp(request, key);
}

function checkClientIp(request: Request, key: KeyRecord): KeyRecord {
  if (key.ipAllowlist.length > 0) {
    const ip = clientIp(request.headers);
    if (!ip || !ipAllowed(ip, key.ipAllowlist)) throw refuseIp(ip);
  }
  return key;
}
