// DELETE /api/v1/links/{id}/tokens/{tokenId} — revoke one access token (rotate: create the new one first)
import { revokeLinkTokenResponse } from '@/lib/links/api';
import { managementRoute } from '@/lib/management/handler';

export const DELETE = managementRoute(revokeLinkTokenResponse);
