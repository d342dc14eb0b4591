import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/errors';
import { toAnthropicRequest } from './anthropic-request';

const translate = (body: Record<string, unknown>, stream = false) => toAnthropicRequest({ messages: [{ role: 'user', content: 'hi' }], ...body }, { model: 'claude-upstream', stream });

function rejection(body: Record<string, unknown>): ApiError {
  try {
    translate(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('OpenAI chat request → Anthropic Messages request', () => {
  it('keeps a cache breakpoint whose part is dropped: on the block before it, or on the last tool call of a calls-only turn', () => {
    const mark = { type: 'ephemeral' };
    const request = translate({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Long context.' }, { type: 'text', text: '', cache_control: mark }] },
        { role: 'assistant', content: [{ type: 'text', text: '', cache_control: mark }], tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'found' },
      ],
    });
    expect(request.messages[0]!.content).toEqual([{ type: 'text', text: 'Long context.', cache_control: mark }]);
    expect(request.messages[1]!.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'lookup', input: {}, cache_control: mark }]);
  });

  it('JSON mode forces one call of the JSON tool', () => {
    expect(translate({ response_format: { type: 'json_object' } }).tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
  });

  it('translates a plain conversation, with 4096 max_tokens by default', () => {
    expect(translate({ model: 'claude-client-alias' })).toEqual({
      model: 'claude-upstream',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    });
  });

  it('hoists system and developer messages into one top-level system', () => {
    const request = translate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(request.system).toBe('Be brief.\n\nAnswer in French.');
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('maps sampling options, stop sequences, user and stream', () => {
    const request = translate({ max_tokens: 100, temperature: 0.5, top_p: 0.9, stop: 'END', user: 'user-42' }, true);
    expect(request).toMatchObject({ max_tokens: 100, temperature: 0.5, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'user-42' }, stream: true });
    expect(translate({ stop: ['a', 'b'] }).stop_sequences).toEqual(['a', 'b']);
    expect(translate({ stop: [] }).stop_sequences).toBeUndefined();
    expect(translate({}).stream).toBeUndefined();
  });

  it('takes the smaller of max_tokens and max_completion_tokens, so a budget cap on either holds', () => {
    expect(translate({ max_completion_tokens: 300 }).max_tokens).toBe(300);
    expect(translate({ max_tokens: 50, max_completion_tokens: 300 }).max_tokens).toBe(50);
  });

  it('clamps temperature to Anthropic’s 0–1 range', () => {
    expect(translate({ temperature: 1.7 }).temperature).toBe(1);
  });

  it('translates function tools and every tool_choice form', () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function', function: { name: 'now' } },
    ];
    const request = translate({ tools });
    expect(request.tools).toEqual([
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(request.tool_choice).toBeUndefined();
    expect(translate({ tools, tool_choice: 'auto' }).tool_choice).toEqual({ type: 'auto' });
    expect(translate({ tools, tool_choice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(translate({ tools, tool_choice: 'required' }).tool_choice).toEqual({ type: 'any' });
    expect(translate({ tools, tool_choice: { type: 'function', function: { name: 'now' } } }).tool_choice).toEqual({ type: 'tool', name: 'now' });
    expect(translate({ tools, parallel_tool_calls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    // Without tools, a tool_choice means nothing to Anthropic (and it would refuse it).
    expect(translate({ tool_choice: 'auto' }).tool_choice).toBeUndefined();
  });

  it('turns assistant tool calls into tool_use blocks and tool messages into merged tool_result turns', () => {
    const request = translate({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'Rain' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'Rain' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('keeps assistant text before its tool calls and drops empty text', () => {
    const request = translate({
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] },
        { role: 'assistant', content: '' },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'c', name: 'f', input: {} },
      ],
    });
    expect(request.messages).toHaveLength(2);
  });

  it('translates images: data URLs to base64 sources, other URLs to url sources', () => {
    const request = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it.each([
    [{ messages: [] }, 'messages'],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages.0.content'],
    [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages.0.role'],
    [{ n: 2 }, 'n'],
    [{ tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools.0.type'],
    [{ messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, 'messages.0.tool_calls.0.function.arguments'],
    // Arguments nested 5,000 deep would overflow JSON.stringify of the translated payload.
    [
      { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: `{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}` } }] }] },
      'messages.0.tool_calls.0.function.arguments',
    ],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml,<svg/>' } }] }] }, 'messages'],
  ])('refuses %o with a 400 naming %s', (body, param) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});
