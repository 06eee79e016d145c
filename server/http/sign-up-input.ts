import { z } from 'zod';

/** A new organisation and its first admin: the set-up page and `npm run org -- create` both take this. */
export const signUpSchema = z.object({
  organisation: z.string().trim().min(1, 'organisation name is required').max(200),
  name: z.string().trim().min(1, 'your name is required').max(200),
  email: z.string().trim().email('is not an email address'),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  base_currency: z.string().trim().toUpperCase()
    .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as GBP').default('GBP'),
  demo: z.enum(['yes', 'no']).optional(),
}).strict();

export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({
  email: z.string().trim().min(1, 'email is required'),
  password: z.string().min(1, 'password is required'),
  next: z.string().optional(),
}).strict();
