import 'server-only';
import { ApiError } from '@/lib/errors';

// Another account's link answers exactly like a missing one: ids are not confirmed to exist.
export const linkNotFound = (linkId: string) => new ApiError(404, 'link_not_found', `No link with id ${linkId}.`, { param: 'id' });

export const linkTokenNotFound = (tokenId: string) =>
  new ApiError(404, 'link_token_not_found', `No active access token with id ${tokenId} on this link.`, { param: 'token_id' });
