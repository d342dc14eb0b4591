import { z } from 'zod';

/**
 * The rules for email + password, shared by the sign-up, login and settings forms and by the
 * credentials provider. Kept free of server imports so client components may reuse the messages.
 */

export const PASSWORD_RULE = 'Use at least 10 characters, including a letter and a number.';

export const emailSchema = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .min(1, 'Enter your email address.')
  .max(254, 'That email address is too long.')
  .pipe(z.email({ error: 'Enter a valid email address, like name@example.com.' }))
  .transform((email) => email.toLowerCase());

export const newPasswordSchema = z
  .string({ error: PASSWORD_RULE })
  .min(10, `Password is too short. ${PASSWORD_RULE}`)
  .max(128, 'Password is too long (at most 128 characters).')
  .refine((value) => /\p{L}/u.test(value) && /\d/.test(value), `Password is too weak. ${PASSWORD_RULE}`);

export const signupSchema = z.object({
  name: z.string().trim().max(100, 'Name is too long (at most 100 characters).').optional(),
  email: emailSchema,
  password: newPasswordSchema,
});

/** Login only checks shape: strength rules must not hint at which accounts exist. */
export const loginSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'Enter your password.').max(128, 'Wrong email or password.'),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.'),
    newPassword: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .refine((value) => value.newPassword === value.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The two new passwords do not match.',
  });

export type FieldErrors = Partial<Record<string, string>>;

/** First message per field, the shape every form component renders inline. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    errors[key] ??= issue.message;
  }
  return errors;
}
