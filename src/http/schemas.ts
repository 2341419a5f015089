import { z } from 'zod';
import { LOCALES, type Locale } from '../i18n/locales.js';

/** Shared request pieces; every route's schema is built from these so OpenAPI stays consistent. */
export const id = z.guid();
export const idParams = z.object({ id });
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(3000, 0, 1);

const instant = z.iso.datetime({ offset: true });
const toDate = (s: string) => new Date(s);
/** An instant as ISO 8601 with an offset, as it came: device clocks (offline scans) are checked per item. */
export const anyTimestamp = instant.transform(toDate);
const YEARS = 'must be between the years 2000 and 2999';
/**
 * An instant Velvet stores as given (event times, `?since=`): within the years 2000–2999. The
 * pattern tells the OpenAPI document (and anyone reading it) the same; the check after the
 * offset is applied is the one that counts.
 */
export const timestamp = instant
  .regex(/^2\d{3}-/, YEARS)
  .transform(toDate)
  .refine((d) => d.getTime() >= EARLIEST && d.getTime() < LATEST, YEARS);
export const cents = z.int().min(0).max(100_000_000);
/** ISO 4217, either case (Stripe's own convention is lower case); stored upper-case. */
export const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'three letters, e.g. EUR')
  .transform((c) => c.toUpperCase());

// Control characters (NUL among them, which PostgreSQL text refuses) have no place in names,
// codes or ids that people type or devices send; nor do lone UTF-16 surrogates (not text at all:
// PostgreSQL's jsonb refuses them). Surrogate pairs (emoji) are fine.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PRINTABLE = /^(?:[^\u0000-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
const NOT_PRINTABLE = 'must be text without control characters';

/** Text from people and devices: trimmed, `min`..`max` characters, no control characters. */
export const text = (max: number, min = 1) => z.string().trim().min(min).max(max).regex(PRINTABLE, NOT_PRINTABLE);
// Paragraphs: line breaks and tabs are text too; other control characters are not.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PARAGRAPHS = /^(?:[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
/** Longer text people write (a description): trimmed, up to `max` characters, line breaks kept. */
export const paragraphs = (max: number) => z.string().trim().max(max).regex(PARAGRAPHS, NOT_PRINTABLE);
/** An opaque token or code as sent (not trimmed), without control characters. */
export const token = (max: number) => z.string().min(1).max(max).regex(PRINTABLE, NOT_PRINTABLE);
/** An event's minimum age: 18 or 21, or null for none. */
export const minAge = z.literal([18, 21]).nullable();
/** A language Velvet speaks (src/i18n/locales.ts). */
export const locale = z
  .enum(LOCALES as [Locale, ...Locale[]])
  .describe('A language Velvet speaks: ' + LOCALES.join(', '));
export const tokenQuery = z.object({ token: z.string().optional() });

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});
