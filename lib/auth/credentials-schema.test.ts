import { describe, expect, it } from 'vitest';
import { changePasswordSchema, fieldErrors, signupSchema } from './credentials-schema';

function errorsOf(input: unknown) {
  const result = signupSchema.safeParse(input);
  return result.success ? {} : fieldErrors(result.error);
}

describe('sign-up rules', () => {
  it('normalises the email', () => {
    expect(signupSchema.parse({ email: '  Ada@Example.COM ', password: 'lovelace1815' }).email).toBe('ada@example.com');
  });

  it.each(['', 'ada', 'ada@', '@example.com', 'ada example@x.com'])('rejects the malformed email %j', (email) => {
    expect(errorsOf({ email, password: 'lovelace1815' }).email).toMatch(/email/i);
  });

  it.each([
    ['short1', /too short.*at least 10 characters/i],
    ['onlyletterslong', /too weak.*a letter and a number/i],
    ['1234567890123', /too weak/i],
    ['x'.repeat(129) + '1', /too long/i],
  ])('says what a password needs: %j', (password, message) => {
    expect(errorsOf({ email: 'ada@example.com', password }).password).toMatch(message);
  });

  it('checks that the new passwords match', () => {
    const result = changePasswordSchema.safeParse({ currentPassword: 'x', newPassword: 'lovelace1815', confirmPassword: 'lovelace1816' });
    expect(result.success ? {} : fieldErrors(result.error)).toEqual({ confirmPassword: 'The two new passwords do not match.' });
  });
});
