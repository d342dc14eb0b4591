import type { PresetDefaults } from '@/lib/links/presets';
import { formatHeaderLines, formatPathLine, type JwtMode, type RatePeriod } from './link-form-input';

/** What the link form shows: everything as typed text ("" = no limit). Pure. */
export interface LinkFormValues {
  id?: string;
  name: string;
  description: string;
  preset: string;
  upstream: UpstreamValues;
  /** The stored secret's last characters (edit only); the secret itself is never shown. */
  secretHint: string | null;
  allowedOrigins: string;
  jwt: { mode: JwtMode; hasSecret: boolean; jwksUrl: string; issuer: string; audience: string; userClaim: string };
  rate: Record<RatePeriod, string>;
  userRate: Record<RatePeriod, string>;
  monthlyCap: string;
}

/** The fields a preset prefills. */
export interface UpstreamValues {
  baseUrl: string;
  injectionType: string;
  injectionName: string;
  injectionUsername: string;
  extraHeaders: string;
  allowedPaths: string;
}

/** Twilio's preset is built for this SID on the server (preset-options.ts) and swapped in the browser. */
export const TWILIO_PLACEHOLDER_SID = `AC${'0'.repeat(32)}`;
const SID_SHOWN_UNTIL_TYPED = '{AccountSid}';

const noLimits = { per_minute: '', per_hour: '', per_day: '' };

export const emptyUpstream: UpstreamValues = {
  baseUrl: '',
  injectionType: 'bearer',
  injectionName: '',
  injectionUsername: '',
  extraHeaders: '',
  allowedPaths: '',
};

export const emptyLinkFormValues: LinkFormValues = {
  name: '',
  description: '',
  preset: 'openai',
  upstream: emptyUpstream,
  secretHint: null,
  allowedOrigins: '',
  jwt: { mode: 'off', hasSecret: false, jwksUrl: '', issuer: '', audience: '', userClaim: 'sub' },
  rate: noLimits,
  userRate: noLimits,
  monthlyCap: '',
};

export function upstreamValues(settings: PresetDefaults): UpstreamValues {
  const injection = settings.injection;
  return {
    baseUrl: settings.upstream_base_url,
    injectionType: injection.type,
    injectionName: injection.type === 'header' || injection.type === 'query' ? injection.name : '',
    injectionUsername: injection.type === 'basic' ? (injection.username ?? '') : '',
    extraHeaders: formatHeaderLines(settings.extra_headers),
    allowedPaths: settings.allowed_paths.map(formatPathLine).join('\n'),
  };
}

/**
 * A preset's prefill. For Twilio the placeholder SID becomes the one typed (pinned paths, Basic
 * username) — or a visible {AccountSid} until a plausible one is there; the server's schema
 * still checks the SID and every path.
 */
export function presetUpstream(defaults: PresetDefaults | null, accountSid: string): UpstreamValues {
  if (!defaults) return emptyUpstream;
  const values = upstreamValues(defaults);
  const sid = /^[A-Za-z0-9]+$/.test(accountSid.trim()) ? accountSid.trim() : SID_SHOWN_UNTIL_TYPED;
  const swap = (value: string) => value.replaceAll(TWILIO_PLACEHOLDER_SID, sid);
  return Object.fromEntries(Object.entries(values).map(([field, value]) => [field, swap(value)])) as unknown as UpstreamValues;
}
