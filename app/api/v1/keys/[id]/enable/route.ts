// POST /api/v1/keys/{id}/enable — re-enable a disabled key
import { enableKeyResponse } from '@/lib/keys/api';
import { managementRoute } from '@/lib/management/handler';

export const POST = managementRoute(enableKeyResponse);
