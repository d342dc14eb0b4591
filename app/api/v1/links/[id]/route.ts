// GET | PATCH | DELETE /api/v1/links/{id} — read, update (incl. replacing the secret) or delete one link
import { deleteLinkResponse, getLinkResponse, updateLinkResponse } from '@/lib/links/api';
import { managementRoute } from '@/lib/management/handler';

export const GET = managementRoute(getLinkResponse);
export const PATCH = managementRoute(updateLinkResponse);
export const DELETE = managementRoute(deleteLinkResponse);
