// POST /api/v1/keys/{id}/regenerate — new secret (shown once), same settings; the old one stops working
import { regenerateKeyResponse } from '@/lib/keys/api';
import { managementRoute } from '@/lib/management/handler';

export const POST = managementRoute(regenerateKeyResponse);
