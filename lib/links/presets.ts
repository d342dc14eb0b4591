import { pinSegment, type AllowedPath } from '@/lib/proxy/path';
import type { ExtraHeaders, Injection } from '@/lib/proxy/headers';

/**
 * Ready-made settings for the APIs the Conduit Link docs cover. Base URLs and allowed_paths are
 * the docs' own: a client swaps the vendor's base URL for https://…/proxy/{id}/… and keeps the
 * rest of the path, so e.g. OpenAI's base is the bare origin and its paths start with /v1 (the
 * SDK's baseURL becomes …/proxy/{id}/v1). Every field can still be overridden on create.
 */

export const LINK_PRESETS = ['openai', 'anthropic', 'stripe', 'google_maps', 'sendgrid', 'twilio', 'custom'] as const;
export type LinkPreset = (typeof LINK_PRESETS)[number];

export interface PresetDefaults {
  upstream_base_url: string;
  injection: Injection;
  extra_headers: ExtraHeaders;
  allowed_paths: AllowedPath[];
}

export interface PresetInfo {
  label: string;
  /** What the form asks for as the secret. */
  secretLabel: string;
}

export const PRESET_INFO: Record<LinkPreset, PresetInfo> = {
  openai: { label: 'OpenAI', secretLabel: 'OpenAI API key' },
  anthropic: { label: 'Anthropic', secretLabel: 'Anthropic API key' },
  stripe: { label: 'Stripe', secretLabel: 'Stripe secret key' },
  google_maps: { label: 'Google Maps', secretLabel: 'Google Maps API key' },
  sendgrid: { label: 'SendGrid', secretLabel: 'SendGrid API key' },
  twilio: { label: 'Twilio', secretLabel: 'Twilio auth token' },
  custom: { label: 'Custom API', secretLabel: 'Secret' },
};

const paths = (...list: string[]): AllowedPath[] => list.map((path) => ({ path }));

const FIXED: Record<Exclude<LinkPreset, 'twilio' | 'custom'>, PresetDefaults> = {
  openai: {
    upstream_base_url: 'https://api.openai.com',
    injection: { type: 'bearer' },
    extra_headers: {},
    allowed_paths: paths('/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/images/generations', '/v1/audio/transcriptions', '/v1/models'),
  },
  anthropic: {
    upstream_base_url: 'https://api.anthropic.com',
    injection: { type: 'header', name: 'x-api-key' },
    extra_headers: { 'anthropic-version': '2023-06-01' },
    allowed_paths: paths('/v1/messages', '/v1/complete'),
  },
  stripe: {
    upstream_base_url: 'https://api.stripe.com',
    injection: { type: 'bearer' },
    extra_headers: {},
    allowed_paths: paths('/v1/customers', '/v1/payment_intents', '/v1/payment_methods', '/v1/subscriptions', '/v1/prices', '/v1/products', '/v1/checkout/sessions'),
  },
  google_maps: {
    upstream_base_url: 'https://maps.googleapis.com/maps/api',
    injection: { type: 'query', name: 'key' },
    extra_headers: {},
    allowed_paths: paths('/geocode/json', '/place/autocomplete/json', '/place/details/json', '/directions/json', '/distancematrix/json', '/elevation/json', '/timezone/json'),
  },
  sendgrid: {
    upstream_base_url: 'https://api.sendgrid.com/v3',
    injection: { type: 'bearer' },
    extra_headers: {},
    allowed_paths: paths('/mail/send', '/mail/batch', '/marketing/contacts', '/marketing/lists'),
  },
};

const TWILIO_PATHS = ['/Accounts/*/Messages.json', '/Accounts/*/Calls.json', '/Accounts/*/IncomingPhoneNumbers.json', '/Accounts/*/AvailablePhoneNumbers/*'];

/** Twilio Account SIDs: AC + 32 hex digits. Public (the docs put it in frontend code), not a secret. */
export const TWILIO_ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;

/**
 * Twilio signs in with Basic auth (Account SID : auth token), and the docs' paths carry the
 * SID in `/Accounts/*`. That `*` is pinned to the link's own SID: the same auth token can reach
 * subaccounts, and a link for one account must not become a key to the others.
 */
function twilio(accountSid: string): PresetDefaults {
  return {
    upstream_base_url: 'https://api.twilio.com/2010-04-01',
    injection: { type: 'basic', username: accountSid },
    extra_headers: {},
    allowed_paths: TWILIO_PATHS.map((pattern) => {
      const pinned = pinSegment(pattern, 1, accountSid);
      if (!pinned.ok) throw new Error(`Twilio preset: ${pinned.reason}`);
      return { path: pinned.path };
    }),
  };
}

/** The preset's settings; null for `custom`, and for Twilio without a valid Account SID. */
export function presetDefaults(preset: LinkPreset, options: { accountSid?: string } = {}): PresetDefaults | null {
  if (preset === 'custom') return null;
  if (preset === 'twilio') return options.accountSid && TWILIO_ACCOUNT_SID.test(options.accountSid) ? twilio(options.accountSid) : null;
  return structuredClone(FIXED[preset]);
}
