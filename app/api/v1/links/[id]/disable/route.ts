// POST /api/v1/links/{id}/disable — stop a link from serving without deleting it
import { disableLinkResponse } from '@/lib/links/api';
import { managementRoute } from '@/lib/management/handler';

export const POST = managementRoute(disableLinkResponse);
