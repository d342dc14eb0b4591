// GET /api/v1/links/{id}/tokens — the link's active access tokens; POST — issue another (shown once)
import { createLinkTokenResponse, listLinkTokensResponse } from '@/lib/links/api';
import { managementRoute } from '@/lib/management/handler';

export const GET = managementRoute(listLinkTokensResponse);
export const POST = managementRoute(createLinkTokenResponse);
