// GET /api/v1/links — list the account's links; POST /api/v1/links — create one (access token shown once)
import { createLinkResponse, listLinksResponse } from '@/lib/links/api';
import { managementRoute } from '@/lib/management/handler';

export const GET = managementRoute(listLinksResponse);
export const POST = managementRoute(createLinkResponse);
