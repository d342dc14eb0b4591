import type { ChatCompletion } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { type AnthropicMessageResponse, anthropicErrorResponse, anthropicMessageSchema, toFinishReason, toOpenAICompletion, toOpenAIUsage } from './anthropic-response';

const context = { model: 'claude-sonnet', created: 1_700_000_000 };
const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function message(overrides: Record<string, unknown>): AnthropicMessageResponse {
  const raw = { id: 'msg_01ABC', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: 'end_turn', stop_sequence: null, usage, ...overrides };
  return anthropicMessageSchema.parse(raw);
}

describe('Anthropic message → OpenAI chat completion', () => {
  it('joins text blocks and reports the client’s model, never Anthropic’s', () => {
    // Typed as the official SDK's ChatCompletion: tsc proves the shape is what clients expect.
    const completion: ChatCompletion = toOpenAICompletion(
      message({ content: [{ type: 'text', text: 'Hello ' }, { type: 'thinking', thinking: '…', signature: 'x' }, { type: 'text', text: 'world' }] }),
      context,
    );
    expect(completion).toEqual({
      id: 'chatcmpl-01ABC',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
    });
  });

  it('turns tool_use blocks into tool calls with JSON arguments', () => {
    const completion: ChatCompletion = toOpenAICompletion(
      message({
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'now', input: {} },
        ],
        stop_reason: 'tool_use',
      }),
      context,
    );
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } },
    ]);
  });

  it('keeps text that precedes a tool call', () => {
    const completion = toOpenAICompletion(
      message({ content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }], stop_reason: 'tool_use' }),
      context,
    );
    expect(completion.choices[0]?.message).toMatchObject({ content: 'Checking.', tool_calls: [{ id: 't' }] });
  });

  it('answers an empty reply with empty content', () => {
    expect(toOpenAICompletion(message({ content: [] }), context).choices[0]?.message.content).toBe('');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    [null, 'stop'],
  ])('maps stop_reason %s to finish_reason %s', (stopReason, finishReason) => {
    expect(toFinishReason(stopReason)).toBe(finishReason);
  });

  it('JSON mode: the first forced-tool input is the content, alone', () => {
    const answer = message({
      content: [
        { type: 'text', text: 'Here you go:' },
        { type: 'tool_use', id: 'toolu_1', name: 'json_response', input: { a: 1 } },
        { type: 'tool_use', id: 'toolu_2', name: 'json_response', input: { b: 2 } },
      ],
      stop_reason: 'tool_use',
    });
    const completion = toOpenAICompletion(answer, { ...context, jsonTool: 'json_response' });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: '{"a":1}' } });
    expect(completion.choices[0]!.message).not.toHaveProperty('tool_calls');
  });

  it('counts cache reads and writes as prompt tokens, reads as cached tokens, writes as cache_write_tokens', () => {
    expect(toOpenAIUsage({ input_tokens: 12, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300 })).toEqual({
      prompt_tokens: 1312,
      completion_tokens: 40,
      total_tokens: 1352,
      prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 300 },
    });
    expect(toOpenAIUsage({ input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null })).toMatchObject({ prompt_tokens: 3, total_tokens: 4 });
  });
});

describe('Anthropic errors → OpenAI errors', () => {
  const anthropicError = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });

  it.each([
    [400, 'invalid_request_error', 'invalid_request_error'],
    [401, 'authentication_error', 'authentication_error'],
    [403, 'permission_error', 'authorization_error'],
    [404, 'not_found_error', 'not_found_error'],
    [413, 'request_too_large', 'invalid_request_error'],
    [429, 'rate_limit_error', 'rate_limit_error'],
    [500, 'api_error', 'api_error'],
    [529, 'overloaded_error', 'api_error'],
  ])('HTTP %i %s → type %s, same status, Anthropic’s type as code', async (status, type, openAIType) => {
    const response = anthropicErrorResponse(status, anthropicError(type, 'Something went wrong'));
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { message: 'Something went wrong', type: openAIType, param: null, code: type } });
  });

  it('wraps a body that is not Anthropic’s error shape', async () => {
    const response = anthropicErrorResponse(503, '<html>upstream connect error</html>');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { message: 'Anthropic answered HTTP 503 without an error description.', type: 'api_error', param: null, code: 'upstream_error' },
    });
  });

  it('reports a redirect as a bad gateway', () => {
    expect(anthropicErrorResponse(301, '').status).toBe(502);
  });
});
