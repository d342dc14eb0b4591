import type { Operation } from '@/lib/keys/schema';
import type { ChatRequest, GatewayRequestBody, ResponsesRequest } from './request-schemas';

/**
 * An upper bound of a request's prompt tokens, known before the provider counts them. Byte-level
 * tokenizers never make more tokens than UTF-8 bytes, and the JSON of the prompt has more bytes
 * than its text (quotes, keys, role names cover per-message overhead). Images are counted at a
 * deliberately generous flat rate (above the largest high-detail image any catalog model bills). Over-estimating only reserves budget for a moment; settlement uses the
 * provider's own count.
 */
const TOKENS_PER_IMAGE = 40_000;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null));

/** Image and file parts of a Responses API input: every content part that is not text. */
function countResponseAttachments(body: ResponsesRequest): number {
  if (!Array.isArray(body.input)) return 0;
  let attachments = 0;
  for (const item of body.input as { type?: unknown; content?: unknown }[]) {
    if (item.type === 'input_image' || item.type === 'input_file') attachments += 1;
    if (Array.isArray(item.content)) attachments += item.content.filter((part: { type?: unknown }) => part?.type !== 'input_text' && part?.type !== 'output_text').length;
  }
  return attachments;
}

function countImages(body: GatewayRequestBody): number {
  if (!('messages' in body)) return 0;
  let images = 0;
  for (const message of (body as ChatRequest).messages) {
    if (Array.isArray(message.content)) images += message.content.filter((part) => part.type !== 'text').length;
  }
  return images;
}

export function promptTokenBound(operation: Operation, body: GatewayRequestBody): number {
  switch (operation) {
    case 'chat': {
      // The whole body, not just the messages: tools, response_format schemas and predictions
      // are billed as input too. It is already capped by GATEWAY_MAX_BODY_BYTES.
      return bytes(body) + countImages(body) * TOKENS_PER_IMAGE;
    }
    case 'completions':
      return tokensOrBytes((body as { prompt: unknown }).prompt);
    case 'embeddings':
      return tokensOrBytes((body as { input: unknown }).input);
    case 'responses':
      // As for chat: the whole body (instructions, tools, input items), plus images and files.
      return bytes(body) + countResponseAttachments(body as ResponsesRequest) * TOKENS_PER_IMAGE;
  }
}

/** Token arrays are counted exactly; text by its bytes. */
function tokensOrBytes(input: unknown): number {
  if (Array.isArray(input) && input.every((item) => typeof item === 'number')) return input.length + 1;
  if (Array.isArray(input) && input.every(Array.isArray)) return input.reduce((sum: number, list: unknown[]) => sum + list.length + 1, 0);
  return bytes(input);
}

/** A typical (not worst-case) count, for billing a stream that broke before reporting usage. */
export function promptTokenGuess(operation: Operation, body: GatewayRequestBody): number {
  return Math.ceil(promptTokenBound(operation, body) / 4);
}

/**
 * Whether a chat request marks a prompt-cache breakpoint (`cache_control` on a content part): its
 * prompt may then be billed at the model's cache-write price, above the input price, and the
 * reservation must cover that.
 */
export function marksPromptCache(body: GatewayRequestBody): boolean {
  if (!('messages' in body)) return false;
  return (body as ChatRequest).messages.some((message) => Array.isArray(message.content) && message.content.some((part) => (part as { cache_control?: unknown }).cache_control != null));
}
