// POST /api/playground — the dashboard's chat, through the gateway with a key chosen by id.
import { handlePlayground } from '@/lib/playground/handler';

export const dynamic = 'force-dynamic';

export const POST = (request: Request) => handlePlayground(request);
