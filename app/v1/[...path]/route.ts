// GET|POST /v1/* — the Conduit API: OpenAI-compatible chat, completions, embeddings, models, key
import { handleGateway } from '@/lib/gateway/handler';

export const dynamic = 'force-dynamic';

export const GET = handleGateway;
export const POST = handleGateway;
