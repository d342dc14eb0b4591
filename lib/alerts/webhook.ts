import 'server-only';
import { createHmac, randomBytes } from 'node:crypto';
import { env } from '@/lib/env';
import { fetchUpstream } from '@/lib/gateway/upstream';
import { checkJwksUrl, resolveAndCheck, type UrlCheck } from '@/lib/proxy/ssrf';

/**
 * Alert webhooks: a JSON POST to the account's URL, signed like Stripe's so receivers can check
 * origin and freshness: `Conduit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * with the account's webhook secret. Our server connects to a customer-chosen URL, so it goes
 * through the proxy links' SSRF guard (lib/proxy/ssrf.ts): https only, no internal names or
 * non-public addresses when saved, every resolved address public again before each delivery, and
 * the connection made through the guarded pool (lib/proxy/guarded-agent.ts); redirects are never
 * followed.
 */

export const SIGNATURE_HEADER = 'conduit-signature';
const TIMEOUT_MS = 5_000;

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

export function signPayload(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** At save time. A query string is allowed (receivers often carry a token in it). */
export function checkWebhookUrl(url: string): UrlCheck {
  return checkJwksUrl(url, { allowPrivate: env().PROXY_ALLOW_PRIVATE_UPSTREAMS });
}

/** Sends one payload; resolves to 'sent' or 'failed: <why>' (never throws: alerts are best effort). */
export async function deliverWebhook(url: string, secret: string, payload: unknown, now = Date.now()): Promise<string> {
  const allowPrivate = env().PROXY_ALLOW_PRIVATE_UPSTREAMS;
  const checked = checkJwksUrl(url, { allowPrivate });
  if (!checked.ok) return `failed: ${checked.reason}`;
  const resolved = await resolveAndCheck(checked.url.hostname, { allowPrivate });
  if (!resolved.ok) return `failed: ${resolved.reason}`;
  const body = JSON.stringify(payload);
  try {
    const response = await fetchUpstream(checked.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Conduit-Alerts/1', [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(now / 1000)) },
      body,
      timeoutMs: TIMEOUT_MS,
      // A redirect is a failure, never followed (it could point anywhere).
      redirects: 'refuse',
      // The check above names the reason; the guarded pool makes sure the address connected to
      // is one that passed (no DNS rebinding in between).
      guarded: !allowPrivate,
      upstream: 'webhook',
    });
    response.discard();
    return response.ok ? 'sent' : `failed: HTTP ${response.status}`;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
  }
}
