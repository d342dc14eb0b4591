import { allowedOriginsSchema } from '@/lib/links/origins';
import { linkFormErrors } from './link-form-errors';
import type { LinkFormErrors, LinkFormRawInput } from './link-form-input';

/**
 * The checks the browser can make before sending: what is missing, and the allowed origins
 * (their rules are pure, lib/links/origins.ts). URLs, paths, headers and limits are judged by
 * the API's schema in the server action — its URL rules are server-only.
 */
export function checkLinkForm(raw: LinkFormRawInput, mode: 'create' | 'update'): LinkFormErrors | null {
  const errors: LinkFormErrors = {};
  if (raw.name.trim() === '') errors.name = 'Give the link a name';
  if (mode === 'create' && !raw.secret?.trim()) errors.secret = 'Enter the secret (the API key the link should use)';
  if (raw.upstream_base_url.trim() === '') errors.upstream_base_url = 'Enter the base URL of the API, e.g. https://api.example.com/v1';
  if (raw.allowed_paths.length === 0) errors.allowed_paths = 'List at least one allowed path: nothing else is forwarded';
  const origins = allowedOriginsSchema.safeParse(raw.allowed_origins);
  if (!origins.success) {
    const issues = origins.error.issues.map((issue) => ({ ...issue, path: ['allowed_origins', ...issue.path] }));
    Object.assign(errors, linkFormErrors(issues, raw));
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
