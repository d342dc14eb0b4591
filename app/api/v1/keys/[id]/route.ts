// GET | PATCH | DELETE /api/v1/keys/{id} — read, update or delete one key
import { deleteKeyResponse, getKeyResponse, updateKeyResponse } from '@/lib/keys/api';
import { managementRoute } from '@/lib/management/handler';

export const GET = managementRoute(getKeyResponse);
export const PATCH = managementRoute(updateKeyResponse);
export const DELETE = managementRoute(deleteKeyResponse);
