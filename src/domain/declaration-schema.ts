// The supplier declaration payload, format v1 (SPEC §3), as a strict zod schema: unknown
// keys anywhere are errors, countries must already be ISO codes (the service never
// rewrites signed content), quantities are positive finite numbers up to 1e9.
import { z } from 'zod';
import { CATEGORIES } from './categories.js';
import { isCountryCode, UNKNOWN } from './countries.js';

export const SUPPLIER_ID_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const SHA256_REF_RE = /^sha256:[0-9a-f]{64}$/;
// RFC 3339 in UTC: "Z" only, optional fraction; the calendar must hold the date (no
// 30 February, no hour 24) — Date.parse alone would roll such values over.
const RFC3339_UTC_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

export function isRfc3339Utc(v: string): boolean {
  const m = RFC3339_UTC_RE.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return false;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export const countryCode = z
  .string()
  .refine((v) => v === UNKNOWN || isCountryCode(v), {
    message: 'must be an ISO 3166-1 alpha-2 code in upper case, or "unknown"',
  });

export const timestamp = z
  .string()
  .refine(isRfc3339Utc, {
    message: 'must be an RFC 3339 timestamp in UTC (e.g. 2026-11-01T09:00:00Z)',
  });

export const supplierId = z.string().regex(SUPPLIER_ID_RE, 'must match ^[a-z0-9][a-z0-9-]{1,62}$');
export const category = z.enum(CATEGORIES);
// Signed content is never rewritten (SPEC §2): strings are taken as signed, not trimmed;
// blank ones are refused, and identifiers may not carry whitespace at either end.
const text = (max: number) => z.string().min(1).max(max).refine((v) => v.trim() !== '', { message: 'must not be blank' });
const identifier = (max: number) => text(max).refine((v) => v === v.trim(), { message: 'must not begin or end with whitespace' });

export const quantity = z
  .number()
  .finite()
  .positive()
  .max(1e9);

/** The origin object, over a given country schema (codes in signed content, names in BOMs). */
export function originSchemaWith<C extends z.ZodType<string, string>>(country: C) {
  return z.strictObject({
    manufacturedIn: country.optional(),
    assembledIn: country.optional(),
    manufacturer: z
      .strictObject({
        name: text(300).optional(),
        domicile: country.optional(),
        ultimateParent: z.union([
          z.literal('self'),
          z.strictObject({ name: text(300).optional(), domicile: country.optional() }),
        ]).optional(),
      })
      .optional(),
    software: z
      .strictObject({
        developerDomicile: country.optional(),
        dataHostedIn: z.array(country).max(300).optional(),
        dataAdministeredFrom: country.optional(),
      })
      .optional(),
  });
}

export const originSchema = originSchemaWith(countryCode);

export type Origin = z.infer<typeof originSchema>;

export const componentSchema = z.strictObject({
  manufacturer: text(300),
  partNumber: text(200),
  revision: text(100).optional(),
  name: text(500).optional(),
  quantity: quantity.optional(),
  category: category.optional(),
  origin: originSchema.optional(),
  declaration: z.string().regex(SHA256_REF_RE, 'must be sha256:<64 lower-case hex digits>').optional(),
});

export type DeclaredComponent = z.infer<typeof componentSchema>;

export const declarationPayloadSchema = z
  .strictObject({
    schema: z.literal('nonred/declaration/v1'),
    id: identifier(200),
    supplier: supplierId,
    issuedAt: timestamp,
    expiresAt: timestamp.optional(),
    supersedes: identifier(200).optional(),
    part: z.strictObject({
      manufacturer: text(300),
      partNumber: text(200),
      revision: text(100).optional(),
      name: text(500),
      category,
    }),
    origin: originSchema.optional(),
    components: z.array(componentSchema).max(10_000).optional(),
    evidence: z
      .array(
        z.strictObject({
          kind: text(100),
          reference: text(500),
          sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits').optional(),
        }),
      )
      .max(1000)
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (p.supersedes !== undefined && p.supersedes === p.id) {
      ctx.addIssue({ code: 'custom', path: ['supersedes'], message: 'a declaration cannot supersede itself' });
    }
  });

export type DeclarationPayload = z.infer<typeof declarationPayloadSchema>;
