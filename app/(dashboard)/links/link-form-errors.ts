import type { LinkFormErrors, LinkFormField, LinkFormRawInput } from './link-form-input';

/**
 * The API's validation issues (paths like `allowed_paths.2`, `jwt.jwks_url`,
 * `end_user_rate_limits.per_day`) as one message per form field, naming the offending line of
 * a list. Pure, like link-form-input.ts.
 */

export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

const DIRECT: readonly string[] = [
  'name',
  'description',
  'preset',
  'account_sid',
  'upstream_base_url',
  'secret',
  'extra_headers',
  'allowed_paths',
  'allowed_origins',
  'monthly_request_cap',
];

function fieldOf(path: readonly PropertyKey[]): LinkFormField {
  const [head, sub] = path.map(String);
  if (head === 'rate_limits' && sub) return `rate_${sub}` as LinkFormField;
  if (head === 'end_user_rate_limits' && sub) return `user_rate_${sub}` as LinkFormField;
  if (head === 'injection') return sub === 'name' ? 'injection_name' : sub === 'username' ? 'injection_username' : 'injection_type';
  if (head === 'jwt') {
    const jwtFields: Record<string, LinkFormField> = {
      secret: 'jwt_secret',
      jwks_url: 'jwt_jwks_url',
      issuer: 'jwt_issuer',
      audience: 'jwt_audience',
      user_claim: 'jwt_user_claim',
    };
    return (sub && jwtFields[sub]) || 'jwt_mode';
  }
  return head && DIRECT.includes(head) ? (head as LinkFormField) : 'form';
}

// The API's messages speak JSON ("null for no limit"); in the form, no limit is an empty box.
const forForm = (message: string) =>
  message.replace('use null for no limit', 'leave empty for no limit').replace('or null for no limit', 'or leave empty for no limit');

const shown = (entry: unknown) => (typeof entry === 'string' ? entry : JSON.stringify(entry));

export function linkFormErrors(issues: readonly Issue[], raw: LinkFormRawInput): LinkFormErrors {
  const errors: LinkFormErrors = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    let message = forForm(issue.message);
    const index = issue.path[1];
    if ((field === 'allowed_paths' || field === 'allowed_origins') && typeof index === 'number') {
      const entry = raw[field][index];
      const line = typeof entry === 'object' && entry !== null ? `${entry.methods.join(',')} ${entry.path}` : shown(entry ?? '');
      if (!message.includes(typeof entry === 'object' && entry !== null ? entry.path : line)) message = `“${line}”: ${message}`;
    }
    errors[field] ??= message;
  }
  return errors;
}

/** An ApiError's `param` (e.g. `jwt.secret`) as a form field. */
export const fieldOfParam = (param: string | null): LinkFormField => (param ? fieldOf(param.split('.')) : 'form');
