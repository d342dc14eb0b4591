'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { memberAllowed, requireMember } from '@/lib/orgs/session';
import { ApiError } from '@/lib/errors';
import { createLink, createLinkToken, deleteLink, getLink, revokeLinkToken, setLinkEnabled, updateLink } from '@/lib/links/service';
import { linkTokenCreateSchema } from '@/lib/links/schema';
import { fieldOfParam } from './link-form-errors';
import type { LinkFormErrors } from './link-form-input';
import { samplePath } from './snippets';
import { parseLinkForm } from './validate';

/**
 * The dashboard's link operations: validate with the management API's schemas (validate.ts),
 * then call the lifecycle service the API calls too. An access token's plaintext leaves the
 * server only in these return values.
 */

export interface CreatedLink {
  linkId: string;
  preset: string;
  /** The first access token's plaintext, shown once. */
  token: string;
  samplePath: string;
  /** The link verifies end-user JWTs (the snippets then send one). */
  jwt: boolean;
}

export interface LinkFormState {
  errors?: LinkFormErrors;
  success?: string;
  created?: CreatedLink;
}

export interface LinkActionState {
  error?: string;
  /** A new access token's plaintext, shown once. */
  secret?: string;
}

const idSchema = z.string().trim().min(1).max(100);

function idFrom(formData: FormData, name = 'id'): string {
  const parsed = idSchema.safeParse(formData.get(name));
  // Not a link of this account either way; the service would say the same.
  if (!parsed.success) throw new ApiError(404, 'link_not_found', 'No such link.');
  return parsed.data;
}

/** The service's expected failures (a link deleted meanwhile: 404) become a message; bugs still throw. */
async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ApiError }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { ok: false, error };
    throw error;
  }
}

function revalidateLink(id: string) {
  revalidatePath('/links');
  revalidatePath(`/links/${id}`);
}

export async function createLinkAction(_prev: LinkFormState, formData: FormData): Promise<LinkFormState> {
  const allowed = await memberAllowed('links.manage');
  if (!allowed.ok) return { errors: { form: allowed.error } };
  const parsed = parseLinkForm(formData, 'create');
  if (!parsed.ok) return { errors: parsed.errors };
  const { link, token } = await createLink(allowed.member.actor, parsed.data);
  revalidatePath('/links');
  return {
    success: `Created ${link.name}.`,
    created: { linkId: link.id, preset: link.preset, token: token.secret, samplePath: samplePath(link.preset, link.allowedPaths), jwt: link.jwt !== null },
  };
}

export async function updateLinkAction(_prev: LinkFormState, formData: FormData): Promise<LinkFormState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    const id = idFrom(formData);
    const parsed = parseLinkForm(formData, 'update');
    if (!parsed.ok) return { errors: parsed.errors };
    await updateLink(actor, id, parsed.data);
    revalidateLink(id);
    return { success: 'Saved.' };
  });
  // E.g. HS256 chosen without a secret where none is stored yet: the service names the field.
  return result.ok ? result.value : { errors: { [fieldOfParam(result.error.param)]: result.error.message } };
}

export async function setLinkEnabledAction(formData: FormData): Promise<void> {
  const { actor } = await requireMember();
  const enabled = formData.get('enabled') === 'true';
  const result = await attempt(async () => {
    const id = idFrom(formData);
    await setLinkEnabled(actor, id, enabled);
    revalidateLink(id);
  });
  // The link is gone (deleted in another tab): back to the list, which no longer shows it.
  if (!result.ok) redirect('/links');
}

export async function deleteLinkAction(_prev: LinkActionState, formData: FormData): Promise<LinkActionState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    const link = await getLink(actor.accountId, idFrom(formData));
    // Typing the name is the confirmation: nothing is deleted unless it matches exactly.
    const typed = String(formData.get('confirmName') ?? '').trim();
    if (typed !== link.name) return `Type ${link.name} to confirm.`;
    await deleteLink(actor, link.id);
    return null;
  });
  if (!result.ok) return { error: result.error.message };
  if (result.value) return { error: result.value };
  revalidatePath('/links');
  redirect('/links');
}

export async function createLinkTokenAction(_prev: LinkActionState, formData: FormData): Promise<LinkActionState> {
  const { actor } = await requireMember();
  const input = linkTokenCreateSchema.safeParse({ name: formData.get('name') ?? '' });
  if (!input.success) return { error: input.error.issues[0]?.message ?? 'Give the token a name' };
  const result = await attempt(async () => {
    const id = idFrom(formData, 'linkId');
    const { secret } = await createLinkToken(actor, id, input.data.name);
    revalidateLink(id);
    return secret;
  });
  return result.ok ? { secret: result.value } : { error: result.error.message };
}

export async function revokeLinkTokenAction(_prev: LinkActionState, formData: FormData): Promise<LinkActionState> {
  const { actor } = await requireMember();
  const result = await attempt(async () => {
    const id = idFrom(formData, 'linkId');
    await revokeLinkToken(actor, id, idFrom(formData, 'tokenId'));
    revalidateLink(id);
  });
  return result.ok ? {} : { error: result.error.message };
}
