// ANY /proxy/{linkId}/* — Conduit Link: checks the link's rules, injects its secret, streams the upstream back
import { handleProxy } from '@/lib/proxy/handler';

export const dynamic = 'force-dynamic';

export const GET = handleProxy;
export const POST = handleProxy;
export const PUT = handleProxy;
export const PATCH = handleProxy;
export const DELETE = handleProxy;
export const HEAD = handleProxy;
export const OPTIONS = handleProxy;
