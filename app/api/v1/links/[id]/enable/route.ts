// POST /api/v1/links/{id}/enable — let a disabled link serve again
import { enableLinkResponse } from '@/lib/links/api';
import { managementRoute } from '@/lib/management/handler';

export const POST = managementRoute(enableLinkResponse);
