import { z } from 'zod';

/** Shared request pieces; every route's schema is built from these so OpenAPI stays consistent. */
export const id = z.guid();
export const idParams = z.object({ id });
export const timestamp = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
export const cents = z.int().min(0).max(100_000_000);
export const currency = z.string().regex(/^[A-Z]{3}$/, 'three upper-case letters, e.g. EUR');
export const tokenQuery = z.object({ token: z.string().optional() });

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
