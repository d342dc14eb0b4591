import { z } from 'zod';

/**
 * Just enough of OpenAI's request bodies to check limits and route them; everything else the
 * client sent is passed through untouched (looseObject), so new OpenAI parameters keep working.
 */

const positiveInt = z.number().int().positive();
const streamOptions = z.looseObject({ include_usage: z.boolean().optional() }).nullish();
const tokenList = z.array(z.number().int().min(0));

const contentPart = z.looseObject({ type: z.string() });
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    error: 'must be one of system, developer, user, assistant, tool, function',
  }),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
});

const common = {
  model: z.string({ error: 'you must provide a model parameter' }).min(1, 'you must provide a model parameter'),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  n: z.number().int().min(1).max(8, 'at most 8 choices per request').nullish(),
  user: z.string().max(256).nullish(),
};

export const chatRequestSchema = z.looseObject({
  ...common,
  messages: z.array(message).min(1, 'messages must contain at least one message'),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
});

export const completionRequestSchema = z.looseObject({
  ...common,
  best_of: z.number().int().min(1).max(8, 'at most 8 candidates per prompt').nullish(),
  prompt: z.union([z.string(), z.array(z.string()).max(64, 'at most 64 prompts per request'), tokenList, z.array(tokenList).max(64, 'at most 64 prompts per request')]),
  max_tokens: positiveInt.nullish(),
});

export const embeddingRequestSchema = z.looseObject({
  model: common.model,
  input: z.union([z.string().min(1), z.array(z.string()).min(1), tokenList.min(1), z.array(tokenList).min(1)], {
    error: 'input must be a non-empty string, array of strings, or array of token arrays',
  }),
  user: common.user,
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type EmbeddingRequest = z.infer<typeof embeddingRequestSchema>;
export type GatewayRequestBody = ChatRequest | CompletionRequest | EmbeddingRequest;
