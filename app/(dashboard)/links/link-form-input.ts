/**
 * The link form's inputs as the management API's JSON (lib/links/schema.ts), and back: lists
 * one per line, limits as flat boxes, the secret write-only. Pure — no server imports — so the
 * form can use it in the browser for its light checks, and the server actions before the
 * API's own schema decides (lib/links/schema.ts is server-only: its URL rules resolve hosts).
 */

export type LinkFormField =
  | 'form'
  | 'name'
  | 'description'
  | 'preset'
  | 'account_sid'
  | 'upstream_base_url'
  | 'secret'
  | 'injection_type'
  | 'injection_name'
  | 'injection_username'
  | 'extra_headers'
  | 'allowed_paths'
  | 'allowed_origins'
  | 'jwt_mode'
  | 'jwt_secret'
  | 'jwt_jwks_url'
  | 'jwt_issuer'
  | 'jwt_audience'
  | 'jwt_user_claim'
  | `rate_${RatePeriod}`
  | `user_rate_${RatePeriod}`
  | 'monthly_request_cap';
export type LinkFormErrors = Partial<Record<LinkFormField, string>>;

export const RATE_PERIODS = ['per_minute', 'per_hour', 'per_day'] as const;
export type RatePeriod = (typeof RATE_PERIODS)[number];
export const INJECTION_TYPES = ['bearer', 'header', 'query', 'basic'] as const;
export const JWT_MODES = ['off', 'HS256', 'RS256', 'ES256'] as const;
export type JwtMode = (typeof JWT_MODES)[number];

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

/** Non-blank, trimmed lines. */
export const lines = (value: string) =>
  value
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** An empty box means "no limit"; anything else goes to the API's number rules as typed. */
const count = (value: string) => (value.trim() === '' ? null : Number(value));

/** "GET,POST /v1/models" → { path, methods }; a bare "/v1/models" allows every method. */
export function parsePathLine(line: string): string | { path: string; methods: string[] } {
  const match = /^([A-Za-z]+(?:\s*,\s*[A-Za-z]+)*)\s+(\S.*)$/.exec(line);
  if (!match) return line;
  return { path: match[2]!.trim(), methods: match[1]!.split(',').map((method) => method.trim().toUpperCase()) };
}

export function formatPathLine(entry: { path: string; methods?: readonly string[] }): string {
  return entry.methods?.length ? `${entry.methods.join(',')} ${entry.path}` : entry.path;
}

/** "anthropic-version: 2023-06-01" lines → { name: value }; a line without ":" keeps the API's message. */
export function parseHeaderLines(value: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines(value)) {
    const at = line.indexOf(':');
    headers[at === -1 ? line : line.slice(0, at).trim()] = at === -1 ? '' : line.slice(at + 1).trim();
  }
  return headers;
}

export const formatHeaderLines = (headers: Record<string, string>) =>
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');

function injectionFrom(formData: FormData) {
  const type = text(formData, 'injection_type');
  if (type === 'header' || type === 'query') return { type, name: text(formData, 'injection_name').trim() };
  if (type === 'basic') {
    const username = text(formData, 'injection_username').trim();
    return username ? { type, username } : { type };
  }
  return { type };
}

function jwtFrom(formData: FormData, mode: 'create' | 'update') {
  const algorithm = text(formData, 'jwt_mode');
  if (algorithm === '' || algorithm === 'off') return null;
  const audience = text(formData, 'jwt_audience')
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
  const secret = text(formData, 'jwt_secret');
  const optional = (name: string) => text(formData, name).trim() || undefined;
  return {
    algorithm,
    // HS256 only. On an update an empty box keeps the stored secret (it is never shown).
    ...(algorithm === 'HS256' && (secret !== '' || mode === 'create') ? { secret } : {}),
    ...(algorithm !== 'HS256' ? { jwks_url: text(formData, 'jwt_jwks_url') } : {}),
    issuer: optional('jwt_issuer'),
    audience: audience.length === 0 ? undefined : audience.length === 1 ? audience[0] : audience,
    user_claim: optional('jwt_user_claim'),
  };
}

const limits = (formData: FormData, prefix: string) =>
  Object.fromEntries(RATE_PERIODS.map((period) => [period, count(text(formData, `${prefix}${period}`))]));

/**
 * FormData → the API's JSON. Create sends the preset (and Twilio's Account SID); update never
 * does (a link's preset is fixed), and sends the secret only when a new one was typed.
 */
export function linkFormToInput(formData: FormData, mode: 'create' | 'update') {
  const preset = text(formData, 'preset') || 'custom';
  const secret = text(formData, 'secret');
  return {
    name: text(formData, 'name'),
    description: text(formData, 'description').trim() || null,
    ...(mode === 'create' ? { preset } : {}),
    ...(mode === 'create' && preset === 'twilio' ? { account_sid: text(formData, 'account_sid').trim() || undefined } : {}),
    upstream_base_url: text(formData, 'upstream_base_url'),
    ...(mode === 'create' || secret !== '' ? { secret } : {}),
    injection: injectionFrom(formData),
    extra_headers: parseHeaderLines(text(formData, 'extra_headers')),
    allowed_paths: lines(text(formData, 'allowed_paths')).map(parsePathLine),
    allowed_origins: lines(text(formData, 'allowed_origins')),
    jwt: jwtFrom(formData, mode),
    rate_limits: limits(formData, 'rate_'),
    end_user_rate_limits: limits(formData, 'user_rate_'),
    monthly_request_cap: count(text(formData, 'monthly_request_cap')),
  };
}

export type LinkFormRawInput = ReturnType<typeof linkFormToInput>;
