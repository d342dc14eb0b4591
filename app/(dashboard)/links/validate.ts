import 'server-only';
import { env } from '@/lib/env';
import { linkSchemas, type LinkCreateInput, type LinkUpdateInput } from '@/lib/links/schema';
import { linkFormErrors } from './link-form-errors';
import { linkFormToInput, type LinkFormErrors } from './link-form-input';

/**
 * The server actions' check: the form's input through the management API's own schemas, with
 * this deployment's upstream policy (private upstreams only where PROXY_ALLOW_PRIVATE_UPSTREAMS
 * says so). Whatever the browser checked, this decides.
 */

export type LinkFormResult<T> = { ok: true; data: T } | { ok: false; errors: LinkFormErrors };

const schemas = () => linkSchemas({ allowPrivate: env().PROXY_ALLOW_PRIVATE_UPSTREAMS });

export function parseLinkForm(formData: FormData, mode: 'create'): LinkFormResult<LinkCreateInput>;
export function parseLinkForm(formData: FormData, mode: 'update'): LinkFormResult<LinkUpdateInput>;
export function parseLinkForm(formData: FormData, mode: 'create' | 'update'): LinkFormResult<LinkCreateInput | LinkUpdateInput> {
  const raw = linkFormToInput(formData, mode);
  const parsed = schemas()[mode].safeParse(raw);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: linkFormErrors(parsed.error.issues, raw) };
}
