// GET|POST /api/auth/* — Auth.js endpoints (session, CSRF, OAuth callbacks, sign-out)
import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth';
import { atPublicUrl } from '@/lib/auth/request-url';

export const GET = (request: NextRequest) => handlers.GET(atPublicUrl(request));
export const POST = (request: NextRequest) => handlers.POST(atPublicUrl(request));
