// POST /api/v1/keys/{id}/disable — stop a key from working without deleting it
import { disableKeyResponse } from '@/lib/keys/api';
import { managementRoute } from '@/lib/management/handler';

export const POST = managementRoute(disableKeyResponse);
