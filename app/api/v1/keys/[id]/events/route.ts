// GET /api/v1/keys/{id}/events — the key's audit log, newest first
import { keyEventsResponse } from '@/lib/keys/api';
import { managementRoute } from '@/lib/management/handler';

export const GET = managementRoute(keyEventsResponse);
