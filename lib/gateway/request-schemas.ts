import { z } from 'zod';
import type { Operation } from '@/lib/keys/schema';

/**
 * Just enough of OpenAI's request bodies to check limits and route them; everything else the
 * client sent is passed through untouched (looseObject), so new OpenAI parameters keep working.
 * The schemas depend on the model only through its largest output, so they are built once per
 * model (`requestSchemaFor`) and reused.
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

/** The model a body is checked for: what its limits depend on. */
export interface SchemaModel {
  id: string;
  maxOutputTokens: number;
}

/**
 * max_tokens / max_completion_tokens: a positive integer no larger than what the model can
 * produce. A larger one is a mistake to report, not a request to forward (the provider refuses
 * it) nor a cost to reserve (1e12 tokens would be refused for want of credit, as a 402).
 */
const outputTokens = (model: SchemaModel) =>
  positiveInt.max(model.maxOutputTokens, `must be at most ${model.maxOutputTokens}, the most output tokens ${model.id} produces`).nullish();

const chatSchema = (model: SchemaModel) =>
  z.looseObject({
    ...common,
    messages: z.array(message).min(1, 'messages must contain at least one message'),
    max_tokens: outputTokens(model),
    max_completion_tokens: outputTokens(model),
  });

const completionSchema = (model: SchemaModel) =>
  z.looseObject({
    ...common,
    best_of: z.number().int().min(1).max(8, 'at most 8 candidates per prompt').nullish(),
    prompt: z.union([z.string(), z.array(z.string()).max(64, 'at most 64 prompts per request'), tokenList, z.array(tokenList).max(64, 'at most 64 prompts per request')]),
    max_tokens: outputTokens(model),
  });

const embeddingSchema = z.looseObject({
  model: common.model,
  input: z.union([z.string().min(1), z.array(z.string()).min(1), tokenList.min(1), z.array(tokenList).min(1)], {
    error: 'input must be a non-empty string, array of strings, or array of token arrays',
  }),
  user: common.user,
});

/**
 * OpenAI's Responses API: `input` is a string or a list of items (messages with text, image or
 * file parts, tool outputs…), `max_output_tokens` bounds the answer. Only what the gateway needs
 * is checked; items pass through as written.
 */
const responsesSchema = (model: SchemaModel) =>
  z.looseObject({
    model: common.model,
    stream: common.stream,
    user: common.user,
    input: z.union([z.string(), z.array(z.looseObject({})).min(1, 'input must contain at least one item')], {
      error: 'input must be a string or a non-empty array of input items',
    }),
    instructions: z.string().nullish(),
    max_output_tokens: outputTokens(model),
  });

export type ChatRequest = z.infer<ReturnType<typeof chatSchema>>;
export type ResponsesRequest = z.infer<ReturnType<typeof responsesSchema>>;
export type CompletionRequest = z.infer<ReturnType<typeof completionSchema>>;
export type EmbeddingRequest = z.infer<typeof embeddingSchema>;
export type GatewayRequestBody = ChatRequest | CompletionRequest | EmbeddingRequest | ResponsesRequest;

const built = new Map<string, z.ZodType<GatewayRequestBody>>();

/** The body schema of `operation` for `model` (built on first use, then reused). */
export function requestSchemaFor(operation: Operation, model: SchemaModel): z.ZodType<GatewayRequestBody> {
  if (operation === 'embeddings') return embeddingSchema;
  const key = `${operation}\n${model.id}\n${model.maxOutputTokens}`;
  let schema = built.get(key);
  if (!schema) {
    schema = operation === 'chat' ? chatSchema(model) : operation === 'responses' ? responsesSchema(model) : completionSchema(model);
    built.set(key, schema);
  }
  return schema;
}
