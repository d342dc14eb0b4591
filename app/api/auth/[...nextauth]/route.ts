// GET|POST /api/auth/* — Auth.js endpoints (session, CSRF, OAuth callbacks, sign-out)
import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth';
import { revokeSignedOutSession } from '@/lib/auth/revocation';
import { atPublicUrl } from '@/lib/auth/request-url';
import { errorResponse } from '@/lib/errors';

export const GET = (request: NextRequest) => handlers.GET(atPublicUrl(request));

export async function POST(request: NextRequest): Promise<Response> {
  const url = atPublicUrl(request);
  const response = await handlers.POST(url);
  if (!url.nextUrl.pathname.endsWith('/signout')) return response;
  try {
    await revokeSignedOutSession(url, response);
  } catch (error) {
    return errorResponse(error);
  }
  return response;
}
