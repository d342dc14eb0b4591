import { describe, expect, it } from 'vitest';
import { keyCreateSchema } from '@/lib/keys/schema';
import { parseKeyForm } from './key-form-schema';

const form = (fields: Record<string, string | string[]>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) data.append(name, item);
  }
  return data;
};

const errorsOf = (fields: Record<string, string | string[]>) => {
  const result = parseKeyForm(form({ name: 'k', ...fields }), 'create');
  return result.ok ? {} : result.errors;
};

describe('the key form', () => {
  it('turns dollars into micros and lists into arrays, exactly as the API takes them', () => {
    const result = parseKeyForm(
      form({
        name: ' Production ',
        description: ' Billing service, production ',
        allowed_models: 'gpt-4o*, claude-3-5-sonnet\n\n',
        allowed_operations: ['chat', 'embeddings'],
        allowed_providers: ['openai', 'anthropic'],
        ip_allowlist: '10.1.2.3/8\n203.0.113.7',
        expires_at: '',
        rate_per_minute: '60',
        rate_per_hour: '',
        rate_per_day: '',
        spend_day: '5',
        spend_week: '',
        spend_month: '100.50',
      }),
      'create',
    );
    expect(result).toEqual({
      ok: true,
      data: {
        name: 'Production',
        description: 'Billing service, production',
        allowed_models: ['gpt-4o*', 'claude-3-5-sonnet'],
        allowed_operations: ['chat', 'embeddings'],
        allowed_providers: ['openai', 'anthropic'],
        ip_allowlist: ['10.0.0.0/8', '203.0.113.7'],
        expires_at: null,
        rate_limits: { per_minute: 60, per_hour: null, per_day: null },
        spending_limits: { day: 5_000_000, week: null, month: 100_500_000 },
      },
    });
    // What the form produced is valid API input as it stands.
    expect(keyCreateSchema.safeParse(result.ok ? result.data : null).success).toBe(true);
  });

  it('names the field and the offending entry of each problem', () => {
    const errors = errorsOf({
      ip_allowlist: '10.0.0.1\n10.0.0.0/33',
      spend_day: '-5',
      rate_per_minute: '-1',
      allowed_operations: ['images'],
      allowed_providers: ['openai', 'bedrock'],
      allowed_models: 'gpt-*-mini',
      expires_at: '2001-01-01T00:00:00+00:00',
    });
    expect(errors.ip_allowlist).toMatch(/10\.0\.0\.0\/33/);
    expect(errors.spend_day).toBe('Must not be negative');
    expect(errors.rate_per_minute).toBe('Must be at least 1 (leave empty for no limit)');
    expect(errors.allowed_operations).toMatch(/images.*Unknown operation/);
    expect(errors.allowed_providers).toBe('“bedrock”: Unknown provider; use openai, anthropic, gemini, mistral, groq, deepseek, echo');
    expect(errors.allowed_models).toMatch(/gpt-\*-mini/);
    expect(errors.expires_at).toBe('Must be in the future');
    expect(errorsOf({ description: 'd'.repeat(501) }).description).toBe('Descriptions are at most 500 characters');
  });

  it('requires a name on create, and leaves an absent expiry out of an update', () => {
    expect(parseKeyForm(form({ name: '  ' }), 'create')).toMatchObject({ ok: false, errors: { name: 'Give the key a name' } });
    const update = parseKeyForm(form({ name: 'k', spend_week: '1,000' }), 'update');
    expect(update.ok && update.data).toMatchObject({ name: 'k', spending_limits: { week: 1_000_000_000 } });
    expect(update.ok && 'expires_at' in update.data).toBe(false);
  });

  it('refuses amounts beyond the API maximum, and a comma for cents', () => {
    expect(errorsOf({ spend_month: '2000000' }).spend_month).toBe('Must be at most $1,000,000');
    expect(errorsOf({ spend_day: '12,50' }).spend_day).toMatch(/dot for cents/);
  });
});
