// GET /api/v1/keys — list the account's keys; POST /api/v1/keys — create one (secret shown once)
import { createKeyResponse, listKeysResponse } from '@/lib/keys/api';
import { managementRoute } from '@/lib/management/handler';

export const GET = managementRoute(listKeysResponse);
export const POST = managementRoute(createKeyResponse);
